"""Every change to an application: one service per transition, each one transaction.

A service checks the state and the caller's permission, runs the django-fsm
transition, closes and opens the stage, writes the audit event and the
notifications, all inside `transaction.atomic`, so either all of it happened
or none did. Views, the API and tasks call these and nothing else.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from apps.accounts.twofactor import require_second_factor
from apps.audit.services import record_event
from apps.governance.models import Duty, Jurisdiction, Party, ProponentOrganisation
from apps.governance.selectors import resolve_duty_holder_for
from apps.notifications.messages import transition_subject
from apps.notifications.services import STAFF_ROLES, notify, recipients_query, transition_body
from apps.webhooks.services import publish_application_event

from .deadlines import deadlines_for
from .models import (STAGE_DUTY, Application, FirstTransferDefinition, LetterOfAuthorization, Purpose, ReferenceCounter,
                     Stage, State)
from .permissions import APPROVER, holds, may_fire, open_stage_of
from .requirements import unmet_requirements


class TransitionNotAvailable(Exception):
    """The transition cannot run from the application's current state, or a concurrent decision won (409)."""


TRANSITIONS_REQUIRING_COMMENT = {"request_changes", "reject", "revoke"}
EDITABLE_STATES = {State.DRAFT, State.CHANGES_REQUESTED}
OFFICER_TRANSITIONS = {"request_changes", "issue_loa", "approve_ca", "reject", "revoke"}


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
    definition_error = first_transfer_definition_error(data.purposes, data.first_transfer_definition)
    if definition_error:
        errors["first_transfer_definition"] = definition_error
    if errors:
        raise ValidationError(errors)


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
    fields = {k: v for k, v in vars(data).items() if k != "acquiring_parties"}
    application = Application(
        reference=_next_reference(data.host_party, data.jurisdiction, timezone.now().year),
        organisation=organisation, created_by=acting_user, **fields,
    )
    application.save()
    application.acquiring_parties.set(data.acquiring_parties)
    record_event(
        event="application.created", subject_type="application", subject_id=application.reference,
        acting_user=acting_user, party=data.host_party.code, data={"title": application.title},
    )
    return application


@transaction.atomic(durable=True)
def update_application(application: Application, *, acting_user, data: ApplicationInput) -> Application:
    """Change a draft, or an application returned for changes, on the proponent's behalf."""
    if application.organisation_id not in set(acting_user.organisations.values_list("pk", flat=True)):
        raise PermissionDenied(_("Only the proponent may edit this application."))
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.state not in EDITABLE_STATES:
        raise TransitionNotAvailable(_("An application in state %(state)s can no longer be edited.") % {"state": locked.get_state_display()})
    if data.host_party.pk != locked.host_party_id:
        raise ValidationError({"host_party": _("The host Party of an application cannot change.")})
    locked._unmet_requirements = None
    validate_application_input(data)
    data = _with_implied_first_transfer(data)
    changed = sorted(k for k, v in vars(data).items() if k != "acquiring_parties" and getattr(locked, k) != v)
    for key, value in vars(data).items():
        if key != "acquiring_parties":
            setattr(locked, key, value)
    locked.save()
    locked.acquiring_parties.set(data.acquiring_parties)
    record_event(
        event="application.updated", subject_type="application", subject_id=locked.reference,
        acting_user=acting_user, party=locked.host_party_id, data={"changed": changed},
    )
    return locked


# --- transitions -----------------------------------------------------------


def _check(application: Application, name: str, acting_user, comment: str) -> None:
    """State first (409), then permission (403), then the comment rule (400)."""
    if not any(t.name == name and t.source == application.state for t in application.get_all_state_transitions()):
        raise TransitionNotAvailable(
            _("'%(transition)s' is not available while the application is %(state)s.")
            % {"transition": name, "state": application.get_state_display()}
        )
    if not may_fire(acting_user, name, application):
        if not Application.objects.filter(pk=application.pk, state=application.state).exists():
            # The state read is stale: a concurrent decision moved the stage on, which is a lost race (409).
            raise TransitionNotAvailable(_("Another decision on this application was recorded first; reload to see its new state."))
        raise PermissionDenied(_("You may not %(transition)s this application.") % {"transition": name.replace("_", " ")})
    if name in OFFICER_TRANSITIONS:
        require_second_factor(acting_user)  # approvers and supervisors decide only with a confirmed TOTP device
    if name in TRANSITIONS_REQUIRING_COMMENT and not (comment or "").strip():
        raise ValidationError({"comment": _("A comment is required to %(transition)s.") % {"transition": name.replace("_", " ")}})


def _fire(application: Application, name: str) -> str:
    """Run the django-fsm transition and save it conditionally on the state read (the race guard)."""
    source = application.state
    try:
        getattr(application, name)()
        application.save(update_fields=["state", "updated_at"])
    except (ConcurrentTransition, TransitionNotAllowed):
        raise TransitionNotAvailable(_("Another decision on this application was recorded first; reload to see its new state.")) from None
    return source


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


def _record_and_notify(application: Application, *, name: str, source: str, acting_user, comment: str,
                       stage: Stage | None, now: datetime, extra: dict | None = None, decided: Stage | None = None) -> None:
    event = record_event(
        event=f"application.{name}", subject_type="application", subject_id=application.reference,
        acting_user=acting_user, party=application.host_party_id, at=now,
        data={"transition": name, "from": source, "to": application.state, "comment": comment, **(extra or {})},
    )
    authority_roles = [(stage.authority_id, STAFF_ROLES)] if stage is not None else []
    notify(
        event=name, event_key=f"audit:{event.seq}", application=application,
        recipient_ids=recipients_query(authority_roles=authority_roles, organisation_id=application.organisation_id),
        subject=transition_subject(application, name, authority=getattr(decided, "authority", None)),
        body=transition_body(application, comment=comment, stage=stage),
    )
    # Webhooks: no statement here; on commit the deliveries are written from this event and handed to Celery.
    publish_application_event(application=application, event_type=f"application.{name}", event_id=f"audit:{event.seq}", at=now,
                              data={"transition": name, "from": source, "to": application.state, "comment": comment,
                                    "actor": getattr(acting_user, "username", "")})


def _run_transition(application: Application, name: str, *, acting_user, comment: str = "",
                    before_fire=None, after_fire=None) -> Application:
    """The shared body of every transition service (called inside its transaction)."""
    comment = (comment or "").strip()
    _check(application, name, acting_user, comment)
    if before_fire is not None:
        before_fire()
    now = timezone.now()
    source = _fire(application, name)
    extra = after_fire(now) if after_fire is not None else None
    decided = getattr(application, "_open_stage", None)  # the officer's stage, loaded by the permission check
    stage = _move_stage(application, source, now)
    _record_and_notify(application, name=name, source=source, acting_user=acting_user, comment=comment,
                       stage=stage, now=now, extra=extra, decided=decided)
    return application


def _require_met(application: Application, transition: str) -> None:
    unmet = unmet_requirements(application, transition)
    if unmet:
        raise ValidationError(unmet)


@transaction.atomic(durable=True)
def submit_application(application: Application, *, acting_user, comment: str = "") -> Application:
    """The proponent sends the draft to the authority that issues the LoA."""
    return _run_transition(application, "submit", acting_user=acting_user, comment=comment,
                           before_fire=lambda: _require_met(application, "submit"))


@transaction.atomic(durable=True)
def resubmit_application(application: Application, *, acting_user, comment: str = "") -> Application:
    """The proponent sends the revised application back to the LoA issuer."""
    return _run_transition(application, "resubmit", acting_user=acting_user, comment=comment,
                           before_fire=lambda: _require_met(application, "resubmit"))


@transaction.atomic(durable=True)
def withdraw_application(application: Application, *, acting_user, comment: str = "") -> Application:
    """The proponent withdraws the application before a decision."""
    return _run_transition(application, "withdraw", acting_user=acting_user, comment=comment)


@transaction.atomic(durable=True)
def request_changes(application: Application, *, acting_user, comment: str) -> Application:
    """The duty holder returns the application to the proponent, saying what to change."""
    return _run_transition(application, "request_changes", acting_user=acting_user, comment=comment)


@transaction.atomic(durable=True)
def reject_application(application: Application, *, acting_user, comment: str) -> Application:
    """The duty holder's approver refuses the application."""
    return _run_transition(application, "reject", acting_user=acting_user, comment=comment)


@transaction.atomic(durable=True)
def approve_ca(application: Application, *, acting_user, comment: str = "") -> Application:
    """The CA holder commits the Party to the corresponding adjustment: the application is authorized."""
    return _run_transition(application, "approve_ca", acting_user=acting_user, comment=comment)


@transaction.atomic(durable=True)
def revoke_authorization(application: Application, *, acting_user, comment: str) -> Application:
    """The LoA issuer or the CA holder withdraws the authorization; the LoA is marked revoked."""

    def mark_letter_revoked(now: datetime) -> dict:
        LetterOfAuthorization.objects.filter(application=application, revoked_at__isnull=True).update(revoked_at=now)
        return {}

    return _run_transition(application, "revoke", acting_user=acting_user, comment=comment, after_fire=mark_letter_revoked)


def _validate_loa_terms(application: Application, authorized_quantity, vintage_from, vintage_to) -> tuple[int, int, int]:
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


def letter_fingerprint(fields: dict) -> str:
    """SHA-256 over the letter's canonical content: what anyone can recompute from the letter."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


@transaction.atomic(durable=True)
def issue_loa(application: Application, *, acting_user, authorized_quantity: int | None,
              vintage_from: int | None = None, vintage_to: int | None = None, comment: str = "") -> Application:
    """Issue the host Party's LoA and hand the application to the CA holder."""
    terms: dict = {}

    def validate_terms() -> None:
        terms["quantity"], terms["vintage_from"], terms["vintage_to"] = _validate_loa_terms(
            application, authorized_quantity, vintage_from, vintage_to)

    def write_letter(now: datetime) -> dict:
        stage = open_stage_of(application)
        # The next tier up, stepping in after escalation, issues the letter in its own name.
        issuer = stage.authority if holds(acting_user, stage.authority_id, APPROVER) else stage.escalation_authority
        content = {
            "number": f"LOA-{application.reference}",
            "application": application.reference,
            "host_party": application.host_party_id,
            "issuing_authority": issuer.name,
            "issued_at": now.isoformat(),
            "authorized_quantity": terms["quantity"],
            "vintage_from": terms["vintage_from"],
            "vintage_to": terms["vintage_to"],
            "purposes": application.purposes,
            "first_transfer_definition": application.first_transfer_definition,
            "acquiring_parties": sorted(application.acquiring_parties.values_list("pk", flat=True)),
        }
        LetterOfAuthorization.objects.create(
            application=application, number=content["number"], issuing_authority=issuer,
            issued_by=acting_user, issued_at=now, authorized_quantity=terms["quantity"],
            vintage_from=terms["vintage_from"], vintage_to=terms["vintage_to"], purposes=application.purposes,
            first_transfer_definition=application.first_transfer_definition,
            acquiring_parties=content["acquiring_parties"], fingerprint=letter_fingerprint(content),
        )
        return {"loa": content["number"], "authorized_quantity": terms["quantity"],
                "vintage_from": terms["vintage_from"], "vintage_to": terms["vintage_to"]}

    return _run_transition(application, "issue_loa", acting_user=acting_user, comment=comment,
                           before_fire=validate_terms, after_fire=write_letter)


TRANSITION_SERVICES = {
    "submit": submit_application,
    "resubmit": resubmit_application,
    "withdraw": withdraw_application,
    "request_changes": request_changes,
    "reject": reject_application,
    "issue_loa": issue_loa,
    "approve_ca": approve_ca,
    "revoke": revoke_authorization,
}
TRANSITION_PARAMETERS = {"issue_loa": ("authorized_quantity", "vintage_from", "vintage_to")}
