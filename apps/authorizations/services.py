"""Every change to an application: one service per transition, each one transaction.

A transition's service is the body of its row in `workflow.APPLICATION`: the workflow engine checks
the state, the caller's permission, the second factor and the comment, runs the django-fsm
transition, and writes the audit event; the service adds its own checks and writes (the letter,
the stage). The notifications and webhooks listen to the workflow. All of it inside
`transaction.atomic`, so either all of it happened or none did. Views, the API and tasks call
these and nothing else.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from apps.audit.events import Event
from apps.audit.services import record_event
from apps.governance.models import PROGRAMME_REGISTRY_ID_FORMATS, Jurisdiction, Party, ProponentOrganisation
from apps.governance.selectors import resolve_duty_holder_for
from apps.permissions import APPROVER, holds, is_proponent, open_acquiring_stage_of, open_stage_of, stages_of
from apps.workflow import engine
from apps.workflow.engine import Subject, TransitionNotAvailable

from . import acquiring
from .deadlines import deadlines_for
from .edits import edit_values
from .models import (Amendment, AmendmentStatus, Application, FirstTransferDefinition, LetterOfAuthorization, LetterStatus, Mechanism,
                     Purpose, ReferenceCounter, Stage)
from .requirements import unmet_requirements
from .workflow import APPLICATION, EDITABLE_STATES, PARTY_STAGE_DUTY, STAGE_DUTY

__all__ = ["TransitionNotAvailable", "EDITABLE_STATES", "TRANSITION_SERVICES"]


@dataclass
class ApplicationInput:
    """The proponent's fields, already type-checked by a form or serializer."""

    title: str
    host_party: Party
    jurisdiction: Jurisdiction
    sector: str
    mitigation_type: str
    activity_type: str
    requested_quantity: int
    vintage_from: int
    vintage_to: int
    purposes: str
    first_transfer_definition: str  # "" when the purposes imply it (no OIMP)
    acquiring_parties: list[Party]
    description: str = ""
    host_registry_id: str = ""
    local_partner: str = ""
    benefit_sharing_plan: str = ""
    mechanism: str = "article_6_2"
    programme: str = ""
    programme_registry_id: str = ""
    cdm_reference: str = ""  # a CDM activity requesting transition to the mechanism (Article 6.4 only)
    cooperative_approach: str = ""  # its code, when the client names one; otherwise determined


def validate_application_input(data: ApplicationInput) -> None:
    """The domain rules a well-typed application must also meet; raises ValidationError by field."""
    errors: dict[str, str] = {}
    if not data.host_party.is_host:
        errors["host_party"] = _("%(party)s is not configured as a host Party.") % {"party": data.host_party.code}
    elif data.jurisdiction.party_id != data.host_party.pk:
        errors["jurisdiction"] = _("%(code)s is not in %(party)s.") % {"code": data.jurisdiction.code, "party": data.host_party.name}
    if data.vintage_from > data.vintage_to:
        errors["vintage_to"] = _("The last vintage cannot be before the first.")
    if data.requested_quantity < 1:
        errors["requested_quantity"] = _("Request at least 1 tCO2e.")
    if any(party.pk == data.host_party.pk for party in data.acquiring_parties):
        errors["acquiring_parties"] = _("The host Party cannot acquire its own ITMOs.")
    elif any(not party.is_acquiring for party in data.acquiring_parties):
        errors["acquiring_parties"] = _("Only Parties configured as acquiring Parties may be named.")
    registry_id_error = programme_registry_id_error(data.programme, data.programme_registry_id)
    if registry_id_error:
        errors["programme_registry_id"] = registry_id_error
    if data.cdm_reference.strip() and data.mechanism != Mechanism.ARTICLE_6_4:
        errors["cdm_reference"] = _("Only an Article 6.4 activity transitions from the CDM: choose the Article 6.4 mechanism.")
    definition_error = first_transfer_definition_error(data.purposes, data.first_transfer_definition)
    if definition_error:
        errors["first_transfer_definition"] = definition_error
    if errors:
        raise ValidationError(errors)


def programme_registry_id_error(programme: str, registry_id: str) -> str:
    """A registry ID in the format its programme publishes, where one is known; none without a programme."""
    if registry_id and not programme:
        return _("Choose the programme whose registry this ID is from.")
    known = PROGRAMME_REGISTRY_ID_FORMATS.get(programme)
    if registry_id and known and not re.fullmatch(known[0], registry_id, flags=re.IGNORECASE):
        return _("%(id)s is not a registry ID of this programme: %(format)s.") % {"id": registry_id, "format": known[1]}
    return ""


OIMP_PURPOSES = {Purpose.OIMP, Purpose.NDC_AND_OIMP}
OIMP_FIRST_TRANSFERS = {FirstTransferDefinition.AUTHORIZATION, FirstTransferDefinition.ISSUANCE,
                        FirstTransferDefinition.USE_OR_CANCELLATION}


def first_transfer_definition_error(purposes: str, definition: str) -> str:
    """For NDC use the first transfer is the first international transfer (decision 2/CMA.3 annex para 2(b));
    only where OIMP is among the purposes does the Party choose authorization, issuance, or use or cancellation."""
    if purposes in OIMP_PURPOSES:
        if definition not in OIMP_FIRST_TRANSFERS:
            return _("With OIMP among the purposes, say when the first transfer happens: at authorization, "
                     "at issuance, or at use or cancellation.")
    elif definition not in ("", FirstTransferDefinition.INTERNATIONAL_TRANSFER):
        return _("For NDC use the first transfer is the first international transfer; leave this blank.")
    return ""


_NOT_COLUMNS = {"acquiring_parties", "cooperative_approach"}


def _approach_of(data: ApplicationInput):
    return acquiring.approach_for(host_party=data.host_party, acquiring_parties=data.acquiring_parties,
                                  purposes=data.purposes, named=data.cooperative_approach)


def _with_implied_first_transfer(data: ApplicationInput) -> ApplicationInput:
    if data.purposes in OIMP_PURPOSES or data.first_transfer_definition:
        return data
    return replace(data, first_transfer_definition=FirstTransferDefinition.INTERNATIONAL_TRANSFER)


def _next_reference(host_party: Party, jurisdiction: Jurisdiction, year: int) -> str:
    """The next `MYS-MY12-2026-0007`; the counter row is locked, so no number is handed out twice."""
    prefix = f"{host_party.code}-{jurisdiction.code.replace('-', '')}-{year}"
    ReferenceCounter.objects.bulk_create([ReferenceCounter(prefix=prefix)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{prefix}-{counter.last_number:04d}"


@transaction.atomic(durable=True)
def create_application(*, acting_user, organisation: ProponentOrganisation, data: ApplicationInput) -> Application:
    """Create a draft for the user's organisation."""
    if not organisation.members.filter(pk=acting_user.pk).exists():
        raise PermissionDenied(_("You are not a member of %(organisation)s.") % {"organisation": organisation})
    validate_application_input(data)
    data = _with_implied_first_transfer(data)
    approach = _approach_of(data)
    fields = {k: v for k, v in vars(data).items() if k not in _NOT_COLUMNS}
    application = Application(
        reference=_next_reference(data.host_party, data.jurisdiction, timezone.now().year),
        organisation=organisation, created_by=acting_user, approach=approach, **fields,
    )
    application.save()
    application.acquiring_parties.set(data.acquiring_parties)
    record_event(
        event=Event.APPLICATION_CREATED, subject_type="application", subject_id=application.reference,
        acting_user=acting_user, party=data.host_party.code, data={"title": application.title},
    )
    return application


@transaction.atomic(durable=True)
def update_application(application: Application, *, acting_user, data: ApplicationInput) -> Application:
    """Change a draft, or an application returned for changes, on the proponent's behalf."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    check_editable(acting_user, locked)
    if data.host_party.pk != locked.host_party_id:
        raise ValidationError({"host_party": _("The host Party of an application cannot change.")})
    locked._unmet_requirements = None
    validate_application_input(data)
    if locked.host_approved_at is not None:
        # The host approved this activity for the mechanism as it was: a different route is a new application.
        for field in ("mechanism", "cdm_reference"):
            if getattr(data, field) != getattr(locked, field):
                raise ValidationError({field: _("The host has approved the activity for the Article 6.4 mechanism; "
                                                "this can no longer change.")})
    data = _with_implied_first_transfer(data)
    changed = sorted(k for k, v in vars(data).items() if k not in _NOT_COLUMNS and getattr(locked, k) != v)
    values = edit_values(locked, data, changed, acquiring_before=sorted(locked.acquiring_parties.values_list("pk", flat=True)))
    for key, value in vars(data).items():
        if key not in _NOT_COLUMNS:
            setattr(locked, key, value)
    locked.approach = _approach_of(data)
    locked.save()
    locked.acquiring_parties.set(data.acquiring_parties)
    record_event(
        event=Event.APPLICATION_UPDATED, subject_type="application", subject_id=locked.reference,
        acting_user=acting_user, party=locked.host_party_id, data={"changed": sorted(values), "values": values},
    )
    return locked


def check_editable(user, application: Application) -> None:
    """Only the proponent (403), only while draft or returned for changes (409): web, API and service ask this."""
    if not is_proponent(user, application):
        raise PermissionDenied(_("Only the proponent may edit this application."))
    if application.state not in EDITABLE_STATES:
        raise TransitionNotAvailable(_("An application in state %(state)s can no longer be edited.") % {
            "state": application.get_state_display()})


# --- transitions -----------------------------------------------------------
# Each service below is the body of one row of `workflow.APPLICATION`; the engine does the rest.


def _subject(application: Application) -> Subject:
    return Subject("application", application.reference, application.host_party_id, {})


def _close_open_stage(application: Application, now: datetime) -> None:
    Stage.objects.filter(application=application, closed_at__isnull=True).update(closed_at=now, next_check_at=None)
    application._open_stage = None


_STAGE_COLUMNS = ("application_id", "duty", "authority_id", "escalation_authority_id", "opened_at", "remind_at", "due_at",
                  "escalate_at", "next_check_at", "escalation_level", "next_tier_may_act", "closed_at")
# Close the open stage and open the next in one statement; reading `closed` makes the UPDATE run
# first, so the one-open-stage constraint sees the old stage closed.
_REPLACE_STAGE_SQL = """
WITH closed AS (
    UPDATE {table} SET closed_at = %s, next_check_at = NULL
    WHERE application_id = %s AND closed_at IS NULL
    RETURNING id
)
INSERT INTO {table} ({columns})
SELECT {placeholders} FROM (SELECT count(*) FROM closed) AS c
RETURNING id
"""


def _move_stage(application: Application, source: str, now: datetime) -> Stage | None:
    """Close the stage of the state left (if it had one) and open the stage of the state entered (if any).

    Only `loa_review` and `ca_review` have a stage, so the other states skip the statements
    that could change nothing.
    """
    if application.state in PARTY_STAGE_DUTY or source in PARTY_STAGE_DUTY:
        return _move_party_stages(application, source, now)
    closing = source in STAGE_DUTY
    duty = STAGE_DUTY.get(application.state)
    if duty is None:
        if closing:
            _close_open_stage(application, now)
        application._open_stage = None
        return None
    holder = resolve_duty_holder_for(application.jurisdiction_id, duty)
    deadlines = deadlines_for(holder.assignment, holder.authority.jurisdiction, now)
    stage = Stage(
        application=application, duty=duty, authority=holder.authority,
        escalation_authority=holder.escalation_authority, opened_at=now, remind_at=deadlines.remind_at,
        due_at=deadlines.due_at, escalate_at=deadlines.escalate_at, next_check_at=deadlines.remind_at or deadlines.due_at,
        next_tier_may_act=holder.assignment.next_tier_may_act,
    )
    if not closing or transaction.get_connection().vendor != "postgresql":
        if closing:
            _close_open_stage(application, now)
        stage.save(force_insert=True)
    else:
        sql = _REPLACE_STAGE_SQL.format(table=Stage._meta.db_table, columns=", ".join(_STAGE_COLUMNS),
                                        placeholders=", ".join(["%s"] * len(_STAGE_COLUMNS)))
        values = [getattr(stage, column) for column in _STAGE_COLUMNS]
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(sql, [now, application.pk, *values])
            stage.pk = cursor.fetchone()[0]
        stage._state.adding = False
        stage._state.db = transaction.get_connection().alias
    application._open_stage = stage
    return stage


def _open_stage(application: Application, holder, duty: str, now: datetime, acquiring_party=None) -> Stage:
    deadlines = deadlines_for(holder.assignment, holder.authority.jurisdiction, now)
    return Stage.objects.create(
        application=application, duty=duty, authority=holder.authority, acquiring_party=acquiring_party,
        escalation_authority=holder.escalation_authority, opened_at=now, remind_at=deadlines.remind_at,
        due_at=deadlines.due_at, escalate_at=deadlines.escalate_at, next_check_at=deadlines.remind_at or deadlines.due_at,
        next_tier_may_act=holder.assignment.next_tier_may_act,
    )


def _move_party_stages(application: Application, source: str, now: datetime) -> Stage | None:
    """Entering the acquiring Parties' review opens one stage per Party that must authorize; leaving it closes what is open."""
    if source in PARTY_STAGE_DUTY:
        if application.state not in PARTY_STAGE_DUTY:
            _close_open_stage(application, now)
        application._open_stage = None
        return None
    _close_open_stage(application, now)
    duty = PARTY_STAGE_DUTY[application.state]
    stages = []
    for party in acquiring.parties_to_authorize(application):
        root = Jurisdiction.objects.get(party=party, parent__isnull=True)
        stages.append(_open_stage(application, resolve_duty_holder_for(root.pk, duty), duty, now, acquiring_party=party))
    application._opened_party_stages = stages
    application._open_stage = stages[0] if stages else None
    return application._open_stage


@dataclass(frozen=True)
class StageMove:
    """What a transition did to the stages, for the workflow's listeners: the stage opened, the authority that decided."""

    opened: Stage | None
    decided_by: object | None
    also_opened: tuple = ()  # the other acquiring Parties' stages opened side by side


def _acting_authority(application: Application, acting_user):
    """The authority in whose name the caller decides: at the open stage its holder, or the next tier up after
    escalation; with no stage open (a revocation), the authorizing authority the caller approves for."""
    stage = open_acquiring_stage_of(acting_user, application) if application.state in PARTY_STAGE_DUTY else open_stage_of(application)
    if stage is not None:
        return stage.authority if holds(acting_user, stage.authority_id, APPROVER) else stage.escalation_authority
    letter = application.loa
    if letter is not None and holds(acting_user, letter.issuing_authority_id, APPROVER):
        return letter.issuing_authority
    return next((s.authority for s in reversed(stages_of(application)) if holds(acting_user, s.authority_id, APPROVER)), None)


def _mark_current_letter(application: Application, status: str, *, acting_user, now: datetime) -> dict:
    """The row's letter fact: the current version comes into force, lapses or is revoked (nothing when none was issued)."""
    letter = application.loa
    if letter is None or letter.status == status:
        return {}
    fields = {"status": status, "status_changed_at": now}
    if status == LetterStatus.IN_FORCE:
        fields.update(ca_approved_by_authority=_acting_authority(application, acting_user), ca_approved_at=now)
    elif status == LetterStatus.REVOKED:
        fields["revoked_at"] = now
    LetterOfAuthorization.objects.filter(pk=letter.pk).update(**fields)
    for key, value in fields.items():
        setattr(letter, key, value)
    return {"letter": {"number": letter.number, "version": letter.version, "status": status}}


def _run(application: Application, name: str, *, acting_user, comment: str = "", before=None, writes=None) -> Application:
    """Run row `name` of the table; `before(now)` checks (and may write), `writes(now)` records what the new state
    means; both may return audit data."""
    letter_status = APPLICATION[name].facts.get("letter")

    def after(instance: Application, source: str, now: datetime):
        data = dict(writes(now) or {}) if writes is not None else {}
        if letter_status:
            data.update(_mark_current_letter(instance, letter_status, acting_user=acting_user, now=now))
        # An officer decides in an authority's name (the notification says whose); read before the stage moves on.
        decided_by = _acting_authority(instance, acting_user) if APPLICATION[name].notice else None
        opened = _move_stage(instance, source, now)
        also = tuple(getattr(instance, "_opened_party_stages", ())[1:])
        return data, StageMove(opened=opened, decided_by=decided_by, also_opened=also)

    # `loa` is saved with the state: a letter issued in `before` becomes current in the same UPDATE.
    return engine.run(APPLICATION, application, name, acting_user=acting_user, comment=comment, subject=_subject,
                      before=(lambda instance, now: before(now)) if before is not None else None, after=after,
                      save_fields=("state", "updated_at", "loa"))


def _require_met(application: Application, transition: str) -> None:
    unmet = unmet_requirements(application, transition)
    if unmet:
        raise ValidationError(unmet)


@APPLICATION.service("submit")
@transaction.atomic(durable=True)
def submit_application(application: Application, *, acting_user, comment: str = "") -> Application:
    """The proponent sends the draft to the authority that issues the LoA."""
    return _run(application, "submit", acting_user=acting_user, comment=comment,
                before=lambda now: _require_met(application, "submit"))


@APPLICATION.service("resubmit")
@transaction.atomic(durable=True)
def resubmit_application(application: Application, *, acting_user, comment: str = "") -> Application:
    """The proponent sends the revised application back to the LoA issuer."""
    return _run(application, "resubmit", acting_user=acting_user, comment=comment,
                before=lambda now: _require_met(application, "resubmit"))


@APPLICATION.service("withdraw")
@transaction.atomic(durable=True)
def withdraw_application(application: Application, *, acting_user, comment: str = "") -> Application:
    """The proponent withdraws the application before a decision."""
    return _run(application, "withdraw", acting_user=acting_user, comment=comment)


@APPLICATION.service("request_changes")
@transaction.atomic(durable=True)
def request_changes(application: Application, *, acting_user, comment: str) -> Application:
    """The duty holder returns the application to the proponent, saying what to change."""
    return _run(application, "request_changes", acting_user=acting_user, comment=comment)


@APPLICATION.service("reject")
@transaction.atomic(durable=True)
def reject_application(application: Application, *, acting_user, comment: str) -> Application:
    """The duty holder's approver refuses the application."""
    return _run(application, "reject", acting_user=acting_user, comment=comment)


def _record_host_approval(application: Application, now: datetime) -> dict:
    """The host's approval is given once: a resubmission after later changes goes to the letter, not back to it."""
    Application.objects.filter(pk=application.pk).update(host_approved_at=now)
    application.host_approved_at = now
    return {"host_approved_at": now.isoformat(), "cdm_reference": application.cdm_reference}


@APPLICATION.service("approve_participation")
@transaction.atomic(durable=True)
def approve_participation(application: Application, *, acting_user, comment: str = "") -> Application:
    """The host approves the Article 6.4 activity (or the CDM activity's transition); its units go on to authorization."""
    return _run(application, "approve_participation", acting_user=acting_user, comment=comment,
                writes=lambda now: _record_host_approval(application, now))


@APPLICATION.service("approve_without_authorization")
@transaction.atomic(durable=True)
def approve_without_authorization(application: Application, *, acting_user, comment: str = "") -> Application:
    """The host approves the Article 6.4 activity without authorizing its units: mitigation contribution A6.4ERs."""
    return _run(application, "approve_without_authorization", acting_user=acting_user, comment=comment,
                writes=lambda now: _record_host_approval(application, now))


@APPLICATION.service("approve_ca")
@transaction.atomic(durable=True)
def approve_ca(application: Application, *, acting_user, comment: str = "") -> Application:
    """The CA holder commits the Party to the corresponding adjustment: the application is authorized."""
    return _run(application, "approve_ca", acting_user=acting_user, comment=comment)


def _close_own_party_stage(application: Application, acting_user, now: datetime) -> dict:
    """The caller's Party has decided: its stage closes first, so the row's target sees whether others are still open."""
    Application.objects.select_for_update().filter(pk=application.pk).exists()  # one acquiring Party decides at a time
    stage = open_acquiring_stage_of(acting_user, application)
    Stage.objects.filter(pk=stage.pk).update(closed_at=now, next_check_at=None)
    application._prefetched_objects_cache = {}
    if hasattr(application, "_open_stage"):
        del application._open_stage
    return {"acquiring_party": stage.acquiring_party_id, "authority": stage.authority_id}


@APPLICATION.service("authorize_acquisition")
@transaction.atomic(durable=True)
def authorize_acquisition(application: Application, *, acting_user, comment: str = "") -> Application:
    """The acquiring Party's authority authorizes; the last of them to do so makes the application authorized."""
    return _run(application, "authorize_acquisition", acting_user=acting_user, comment=comment,
                before=lambda now: _close_own_party_stage(application, acting_user, now))


@APPLICATION.service("refuse_acquisition")
@transaction.atomic(durable=True)
def refuse_acquisition(application: Application, *, acting_user, comment: str) -> Application:
    """An acquiring Party's authority refuses: the application is rejected and the letter lapses."""
    return _run(application, "refuse_acquisition", acting_user=acting_user, comment=comment)


@APPLICATION.service("revoke")
@transaction.atomic(durable=True)
def revoke_authorization(application: Application, *, acting_user, comment: str) -> Application:
    """The LoA issuer or the CA holder withdraws the authorization; the current letter is revoked, an open amendment ends."""

    def end_amendment(now: datetime) -> dict:
        ended = Amendment.objects.filter(application=application, status=AmendmentStatus.OPEN).update(
            status=AmendmentStatus.ENDED, decided_at=now)
        return {"amendment_ended": True} if ended else {}

    return _run(application, "revoke", acting_user=acting_user, comment=comment, writes=end_amendment)


def validate_loa_terms(application: Application, authorized_quantity, vintage_from, vintage_to) -> tuple[int, int, int]:
    """The letter's terms, defaulted and checked against the request (the web's check page shows the same)."""
    errors: dict[str, str] = {}
    vintage_from = application.vintage_from if vintage_from is None else vintage_from
    vintage_to = application.vintage_to if vintage_to is None else vintage_to
    if authorized_quantity is None:
        errors["authorized_quantity"] = _("State the authorized quantity in tCO2e.")
    elif not 1 <= authorized_quantity <= application.requested_quantity:
        errors["authorized_quantity"] = _("Authorize between 1 and the %(requested)s tCO2e requested.") % {
            "requested": application.requested_quantity
        }
    if not application.vintage_from <= vintage_from <= application.vintage_to:
        errors["vintage_from"] = _("Vintages must lie within the requested %(a)s–%(b)s.") % {"a": application.vintage_from, "b": application.vintage_to}
    if not application.vintage_from <= vintage_to <= application.vintage_to:
        errors["vintage_to"] = _("Vintages must lie within the requested %(a)s–%(b)s.") % {"a": application.vintage_from, "b": application.vintage_to}
    elif vintage_from > vintage_to:
        errors["vintage_to"] = _("The last vintage cannot be before the first.")
    if errors:
        raise ValidationError(errors)
    return authorized_quantity, vintage_from, vintage_to


def letter_number(reference: str, version: int) -> str:
    """`LOA-<reference>` for the first version, `LOA-<reference>-<version>` after."""
    return f"LOA-{reference}" if version == 1 else f"LOA-{reference}-{version}"


def letter_fingerprint(fields: dict) -> str:
    """SHA-256 over the letter's canonical content: what anyone can recompute from the letter."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def _issue_version(application: Application, *, acting_user, issuer, now: datetime, quantity: int, vintage_from: int,
                   vintage_to: int, status: str, ca_authority=None) -> LetterOfAuthorization:
    """The next letter version, superseding the current one; it becomes current with the state change's save."""
    previous = application.loa
    version = (previous.version + 1) if previous is not None else 1
    content = {
        "number": letter_number(application.reference, version),
        "version": version,
        "application": application.reference,
        "host_party": application.host_party_id,
        "issuing_authority": issuer.name,
        "issued_at": now.isoformat(),
        "authorized_quantity": quantity,
        "vintage_from": vintage_from,
        "vintage_to": vintage_to,
        "purposes": application.purposes,
        "first_transfer_definition": application.first_transfer_definition,
        "acquiring_parties": sorted(application.acquiring_parties.values_list("pk", flat=True)),
    }
    if previous is not None:
        LetterOfAuthorization.objects.filter(pk=previous.pk).update(status=LetterStatus.SUPERSEDED, status_changed_at=now)
    try:
        # Two approvers issuing at once: the second meets the first's number. No savepoint: the refusal rolls back
        # the whole transition, so there is nothing to continue with after the error.
        letter = LetterOfAuthorization.objects.create(
            application=application, version=version, number=content["number"], issuing_authority=issuer,
            issued_by=acting_user, issued_at=now, authorized_quantity=quantity, vintage_from=vintage_from,
            vintage_to=vintage_to, purposes=application.purposes,
            first_transfer_definition=application.first_transfer_definition,
            acquiring_parties=content["acquiring_parties"], fingerprint=letter_fingerprint(content), status=status,
            ca_approved_by_authority=ca_authority if status == LetterStatus.IN_FORCE else None,
            ca_approved_at=now if status == LetterStatus.IN_FORCE else None,
        )
    except IntegrityError:
        raise TransitionNotAvailable(str(APPLICATION.lost_race)) from None
    application.loa = letter  # saved with the state change
    return letter


@APPLICATION.service("issue_loa")
@transaction.atomic(durable=True)
def issue_loa(application: Application, *, acting_user, authorized_quantity: int | None,
              vintage_from: int | None = None, vintage_to: int | None = None, comment: str = "") -> Application:
    """Issue the next version of the host Party's LoA (superseding the current one) and hand the application to the CA holder."""

    def write_letter(now: datetime) -> dict:
        quantity, first, last = validate_loa_terms(application, authorized_quantity, vintage_from, vintage_to)
        previous = application.loa
        # The next tier up, stepping in after escalation, issues the letter in its own name.
        letter = _issue_version(application, acting_user=acting_user, issuer=_acting_authority(application, acting_user),
                                now=now, quantity=quantity, vintage_from=first, vintage_to=last,
                                status=LetterStatus.PENDING_CORRESPONDING_ADJUSTMENT)
        return {"loa": letter.number, "version": letter.version, "supersedes": previous.number if previous else None,
                "authorized_quantity": quantity, "vintage_from": first, "vintage_to": last}

    return _run(application, "issue_loa", acting_user=acting_user, comment=comment, before=write_letter)


# --- amendments ----------------------------------------------------------------


def _amendment_terms(requested: int | None, vintage_from: int | None, vintage_to: int | None, *, within) -> tuple[int, int, int]:
    """Quantity and vintages, defaulted from `within` (quantity, first, last), checked by field."""
    quantity = within[0] if requested is None else requested
    first = within[1] if vintage_from is None else vintage_from
    last = within[2] if vintage_to is None else vintage_to
    if first > last:
        raise ValidationError({"vintage_to": _("The last vintage cannot be before the first.")})
    return quantity, first, last


@APPLICATION.service("request_amendment")
@transaction.atomic(durable=True)
def request_amendment(application: Application, *, acting_user, comment: str, requested_quantity: int | None = None,
                      vintage_from: int | None = None, vintage_to: int | None = None) -> Application:
    """The proponent asks to change the authorization; the current letter stays in force until a new version is approved."""

    def open_amendment(now: datetime) -> dict:
        letter = application.loa
        quantity, first, last = _amendment_terms(requested_quantity, vintage_from, vintage_to,
                                                 within=(letter.authorized_quantity, letter.vintage_from, letter.vintage_to))
        if (quantity, first, last) == (letter.authorized_quantity, letter.vintage_from, letter.vintage_to):
            raise ValidationError({"requested_quantity": _("An amendment changes the quantity or the vintages of %(letter)s.")
                                   % {"letter": letter.number}})
        amendment = Amendment.objects.create(application=application, requested_by=acting_user, requested_at=now,
                                             reason=(comment or "").strip(), requested_quantity=quantity,
                                             vintage_from=first, vintage_to=last)
        application._open_amendment = amendment
        return {"amendment": amendment.pk, "requested_quantity": quantity, "vintage_from": first, "vintage_to": last}

    return _run(application, "request_amendment", acting_user=acting_user, comment=comment, before=open_amendment)


@APPLICATION.service("endorse_amendment")
@transaction.atomic(durable=True)
def endorse_amendment(application: Application, *, acting_user, authorized_quantity: int | None,
                      vintage_from: int | None = None, vintage_to: int | None = None, comment: str = "") -> Application:
    """The LoA issuer agrees the amended terms (at most what was asked, within its vintages); the CA holder decides next."""

    def endorse(now: datetime) -> dict:
        amendment = application.open_amendment
        if authorized_quantity is None:
            raise ValidationError({"authorized_quantity": _("State the authorized quantity in tCO2e.")})
        if not 1 <= authorized_quantity <= amendment.requested_quantity:
            raise ValidationError({"authorized_quantity": _("Authorize between 1 and the %(requested)s tCO2e requested.")
                                   % {"requested": amendment.requested_quantity}})
        _quantity, first, last = _amendment_terms(authorized_quantity, vintage_from, vintage_to, within=(
            amendment.requested_quantity, amendment.vintage_from, amendment.vintage_to))
        if not amendment.vintage_from <= first <= last <= amendment.vintage_to:
            raise ValidationError({"vintage_from": _("Vintages must lie within the requested %(a)s–%(b)s.")
                                   % {"a": amendment.vintage_from, "b": amendment.vintage_to}})
        Amendment.objects.filter(pk=amendment.pk).update(
            authorized_quantity=authorized_quantity, authorized_vintage_from=first, authorized_vintage_to=last,
            endorsed_by_authority=_acting_authority(application, acting_user))
        return {"amendment": amendment.pk, "authorized_quantity": authorized_quantity, "vintage_from": first, "vintage_to": last}

    return _run(application, "endorse_amendment", acting_user=acting_user, comment=comment, before=endorse)


@APPLICATION.service("approve_amendment")
@transaction.atomic(durable=True)
def approve_amendment(application: Application, *, acting_user, comment: str = "") -> Application:
    """The CA holder approves: the next letter version, with the endorsed terms, supersedes the current one and is in force."""

    def issue_amended(now: datetime) -> dict:
        amendment = Amendment.objects.select_related("endorsed_by_authority").get(pk=application.open_amendment.pk)
        letter = _issue_version(application, acting_user=acting_user, issuer=amendment.endorsed_by_authority, now=now,
                                quantity=amendment.authorized_quantity, vintage_from=amendment.authorized_vintage_from,
                                vintage_to=amendment.authorized_vintage_to, status=LetterStatus.IN_FORCE,
                                ca_authority=_acting_authority(application, acting_user))
        Amendment.objects.filter(pk=amendment.pk).update(status=AmendmentStatus.APPROVED, decided_at=now, letter=letter)
        return {"amendment": amendment.pk, "loa": letter.number, "version": letter.version,
                "authorized_quantity": letter.authorized_quantity, "vintage_from": letter.vintage_from,
                "vintage_to": letter.vintage_to}

    return _run(application, "approve_amendment", acting_user=acting_user, comment=comment, before=issue_amended)


@APPLICATION.service("refuse_amendment")
@transaction.atomic(durable=True)
def refuse_amendment(application: Application, *, acting_user, comment: str) -> Application:
    """Either tier refuses the amendment: the current letter stays in force, unchanged."""

    def refuse(now: datetime) -> dict:
        amendment = application.open_amendment
        Amendment.objects.filter(pk=amendment.pk).update(status=AmendmentStatus.REFUSED, decided_at=now)
        return {"amendment": amendment.pk}

    return _run(application, "refuse_amendment", acting_user=acting_user, comment=comment, before=refuse)


TRANSITION_SERVICES = APPLICATION.services
