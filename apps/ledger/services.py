"""Every change to the ledger: monitoring reports and verifications, issue, transfer, use, cancel.
Each is one transaction with row locks and an audit event.

Lock order, everywhere: the application row, then the verification drawn on, then the serial
counter, then blocks by (registry_id, first_id). Bad input raises ValidationError (by field) before anything is
written; a revoked authorization raises LedgerConflict (409).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.events import Event
from apps.audit.services import record_event
from apps.authorizations.documents import store_document
from apps.authorizations.models import Application, FirstTransferDefinition, LetterOfAuthorization, LetterStatus, Purpose, State
from apps.authorizations.workflow import AUTHORIZED_STATES
from apps.governance.models import Party
from apps.permissions import (
    operates_registry_for_application, operates_registry_of, records_verification_for,
    submits_monitoring_for,
)
from apps.workflow.engine import TransitionNotAvailable

from .models import (
    HOLDING_KINDS, AccountKind, Action, ActionType, Block, MonitoringReport, RegistryAccount, SerialCounter,
    Subtype, Verification,
)

CA_ID_PATTERN = re.compile(r"^CA\d{4}$")
ADAPTATION_FUND_PERCENT = 5  # share of proceeds for adaptation at issuance, decision 3/CMA.3 annex (the RMP)
OMGE_PERCENT = 2  # at least 2% cancelled at issuance for overall mitigation in global emissions, same annex


class LedgerConflict(TransitionNotAvailable):
    """The authorization no longer allows this (revoked), or the holdings changed under the caller (409)."""


def adaptation_fund_share(quantity: int) -> int:
    """5% of the issuance, rounded half up to whole ITMOs."""
    return (quantity * ADAPTATION_FUND_PERCENT + 50) // 100


def omge_share(quantity: int) -> int:
    """At least 2%: rounded up, so the cancellation is never below the minimum."""
    return -(-quantity * OMGE_PERCENT // 100)


def registry_id_of(party_code: str) -> str:
    """The Party's ITMO registry ID: alpha-3 + 2 digits (one registry per Party here)."""
    return f"{party_code}01"


def first_transfer_trigger(loa: LetterOfAuthorization | None) -> str:
    """When an ITMO is first transferred: for NDC use the first international transfer; for OIMP what the LoA says."""
    if loa is None or loa.purposes == Purpose.NDC:
        return FirstTransferDefinition.INTERNATIONAL_TRANSFER
    return loa.first_transfer_definition


# --- accounts ----------------------------------------------------------------


def _account(key: str, **fields) -> RegistryAccount:
    account, _created = RegistryAccount.objects.get_or_create(key=key, defaults=fields)
    return account


def party_account(party_code: str) -> RegistryAccount:
    return _account(f"{party_code}:party", kind=AccountKind.PARTY_HOLDING, party_id=party_code,
                    name=f"{party_code} Party holding account")


def entity_account(party_code: str, organisation) -> RegistryAccount:
    return _account(f"{party_code}:entity:{organisation.pk}", kind=AccountKind.ENTITY_HOLDING, party_id=party_code,
                    organisation=organisation, name=f"{organisation.name} ({party_code} registry)")


def retirement_account(party_code: str) -> RegistryAccount:
    return _account(f"{party_code}:retirement", kind=AccountKind.RETIREMENT, party_id=party_code,
                    name=f"{party_code} use and cancellation account")


def adaptation_fund_account() -> RegistryAccount:
    return _account("adaptation-fund", kind=AccountKind.ADAPTATION_FUND, name="Adaptation Fund (Article 6.4 share of proceeds)")


def mechanism_account(organisation) -> RegistryAccount:
    """The activity participant's holding account in the mechanism registry, where A6.4ERs are issued."""
    return _account(f"mechanism:{organisation.pk}", kind=AccountKind.MECHANISM_HOLDING, organisation=organisation,
                    name=f"{organisation.name} (mechanism registry)")


def omge_account() -> RegistryAccount:
    return _account("mechanism:omge", kind=AccountKind.OMGE_CANCELLATION,
                    name="Mechanism registry cancellation account for OMGE")


# --- shared steps ------------------------------------------------------------


def _lock_application(application: Application) -> tuple[Application, LetterOfAuthorization | None]:
    locked = Application.objects.select_for_update().select_related("jurisdiction").get(pk=application.pk)
    # The current version's terms bind the ledger (an amendment's new quantity and vintages included).
    loa = LetterOfAuthorization.objects.filter(pk=locked.loa_id).first() if locked.loa_id else None
    return locked, loa


def _in_force(application: Application, loa: LetterOfAuthorization | None) -> bool:
    return application.state in AUTHORIZED_STATES and loa is not None and loa.status == LetterStatus.IN_FORCE


def _awaiting_acquirers(application: Application, loa: LetterOfAuthorization | None) -> bool:
    """The host's letter is in force and the acquiring Parties are still to authorize: the host may issue, not transfer."""
    return application.state == State.ACQUIRER_REVIEW and loa is not None and loa.status == LetterStatus.IN_FORCE


def _refuse_before_acquirers_authorize(application: Application) -> None:
    if application.state == State.ACQUIRER_REVIEW:
        waiting = ", ".join(sorted(application.stages.filter(closed_at__isnull=True).values_list("acquiring_party_id", flat=True)))
        raise LedgerConflict(_("%(reference)s awaits the acquiring Party's authorization (%(parties)s): no first transfer "
                               "before it is given.") % {"reference": application.reference, "parties": waiting})


def _positive_quantity(quantity) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValidationError({"quantity": _("The quantity must be a whole number of ITMOs, at least 1.")})


def _action(kind: str, block: Block, *, party_id: str, at, actor, subtype: str = "", **fields) -> Action:
    return Action(
        action_type=kind, subtype=subtype, party_id=party_id, application_id=block.application_id,
        registry_id=block.registry_id, first_id=block.first_id, last_id=block.last_id, quantity=block.quantity,
        cooperative_approach_id=block.cooperative_approach_id, first_transferring_party_id=block.first_transferring_party_id,
        vintage=block.vintage, at=at, actor=actor if getattr(actor, "pk", None) else None,
        mitigation_contribution=block.mitigation_contribution, **fields,
    )


def _take(*, application: Application, vintage: int, accounts: list[RegistryAccount], quantity: int,
          destination: RegistryAccount, only_first_transferred: bool = False) -> list[tuple[Block, int]]:
    """Move `quantity` serials (oldest first) from the accounts to `destination`; return (moved block, source account id).

    A block larger than what is left to move is split: it keeps its back part and
    a new block, at the destination, takes the front. Rows are locked first, so two
    transfers of the same block serialise and the second sees what the first left.
    """
    candidates = Block.objects.select_for_update().filter(
        account__in=accounts, application=application, vintage=vintage,
    ).order_by("registry_id", "first_id")
    if only_first_transferred:
        candidates = candidates.filter(first_transferred=True)
    blocks = list(candidates)
    available = sum(block.quantity for block in blocks)
    if available < quantity:
        raise ValidationError({"quantity": _(
            "Only %(available)s ITMOs of vintage %(vintage)s of %(application)s are available here; %(quantity)s were asked for."
        ) % {"available": available, "vintage": vintage, "application": application.reference, "quantity": quantity}})
    moved: list[tuple[Block, int]] = []
    remaining = quantity
    for block in blocks:
        if remaining == 0:
            break
        source = block.account_id
        if block.quantity <= remaining:
            block.account = destination
            block.save(update_fields=["account"])
            moved.append((block, source))
            remaining -= block.quantity
            continue
        front_last = block.first_id + remaining - 1
        front = Block(
            registry_id=block.registry_id, first_id=block.first_id, last_id=front_last, quantity=remaining,
            account=destination, application_id=block.application_id, cooperative_approach_id=block.cooperative_approach_id,
            first_transferring_party_id=block.first_transferring_party_id, vintage=block.vintage,
            first_transferred=block.first_transferred, mitigation_contribution=block.mitigation_contribution,
        )
        # Shrink first, then insert: the exclusion constraint sees no overlap at any moment.
        block.first_id = front_last + 1
        block.quantity -= remaining
        block.save(update_fields=["first_id", "quantity"])
        front.save()
        moved.append((front, source))
        remaining = 0
    return moved


def _mark_first_transferred(blocks: list[Block]) -> None:
    Block.objects.filter(pk__in=[b.pk for b in blocks]).update(first_transferred=True)
    for block in blocks:
        block.first_transferred = True


def _audit(event: str, application: Application, *, acting_user, party: str, data: dict, at) -> None:
    record_event(event=event, subject_type="application", subject_id=application.reference,
                 acting_user=acting_user, party=party, data=data, at=at)


def _summary(actions: list[Action]) -> list[dict]:
    return [{"type": a.action_type, "subtype": a.subtype, "registry": a.registry_id,
             "first_id": a.first_id, "last_id": a.last_id, "quantity": a.quantity} for a in actions]


# --- monitoring and verification ---------------------------------------------


def _eligible_for_monitoring(application: Application, loa: LetterOfAuthorization | None) -> bool:
    return _in_force(application, loa) or (application.article_6_4 and _host_approved_without_authorization(application))


def accepts_monitoring(application: Application) -> bool:
    """Whether the activity's monitoring reports may be submitted now (its authorization in force, or the host's
    approval of a 6.4 activity without authorization); the pages offer the form only then."""
    return _eligible_for_monitoring(application, application.loa)


@transaction.atomic(durable=True)
def submit_monitoring_report(*, application: Application, acting_user, vintage: int, period_from: date, period_to: date,
                             quantity: int, document=None, upload=None) -> MonitoringReport:
    """The proponent reports what the activity achieved in a monitoring period for one vintage year.

    `document` is one already attached to the application; `upload` a file to attach as the report.
    """
    application, loa = _lock_application(application)
    if not submits_monitoring_for(acting_user, application):
        raise PermissionDenied(_("Only the activity's proponent may submit its monitoring reports."))
    if not _eligible_for_monitoring(application, loa):
        raise LedgerConflict(_("Monitoring reports are for activities the host Party approved (%(reference)s is %(state)s).")
                             % {"reference": application.reference, "state": application.get_state_display()})
    _positive_quantity(quantity)
    errors = {}
    if not isinstance(vintage, int) or not application.vintage_from <= vintage <= application.vintage_to:
        errors["vintage"] = _("The activity's vintages are %(a)s–%(b)s.") % {"a": application.vintage_from, "b": application.vintage_to}
    if period_to < period_from:
        errors["period_to"] = _("The monitoring period cannot end before it starts.")
    elif isinstance(vintage, int) and not period_from.year <= vintage <= period_to.year:
        errors["vintage"] = _("The vintage is a calendar year of the monitoring period (%(a)s–%(b)s).") % {
            "a": period_from.year, "b": period_to.year}
    if document is not None and document.application_id != application.pk:
        errors["document"] = _("The document must be one of this application's.")
    if errors:
        raise ValidationError(errors)
    if upload is not None:
        document = store_document(application, acting_user=acting_user, upload=upload,
                                  title=_("Monitoring report, vintage %(vintage)s") % {"vintage": vintage})
    now = timezone.now()
    report = MonitoringReport.objects.create(
        application=application, vintage=vintage, period_from=period_from, period_to=period_to, quantity=quantity,
        document=document, submitted_by=acting_user, submitted_at=now)
    _audit(Event.LEDGER_MONITORING_REPORT, application, acting_user=acting_user, party=application.host_party_id, at=now,
           data={"monitoring_report": report.pk, "vintage": vintage, "period_from": period_from.isoformat(),
                 "period_to": period_to.isoformat(), "quantity": quantity, "document": getattr(document, "pk", None)})
    return report


@transaction.atomic(durable=True)
def record_verification(*, monitoring_report: MonitoringReport, acting_user, verifier: str, accreditation: str,
                        verified_quantity: int, document=None, upload=None) -> Verification:
    """An accredited third party's result for a monitoring report, recorded by the CA approval holder's approver.

    `upload`, if given, is the verification report, attached to the application as a document.
    """
    application, _loa = _lock_application(monitoring_report.application)
    if not records_verification_for(acting_user, application):
        raise PermissionDenied(_("Only approvers of the authority holding the CA approval duty may record verifications."))
    if Verification.objects.filter(monitoring_report=monitoring_report).exists():
        raise LedgerConflict(_("Monitoring report %(id)s is already verified.") % {"id": monitoring_report.pk})
    errors = {}
    verifier, accreditation = (verifier or "").strip(), (accreditation or "").strip()
    if not verifier:
        errors["verifier"] = _("Name the accredited verifier.")
    if not accreditation:
        errors["accreditation"] = _("Give the verifier's accreditation reference.")
    if not isinstance(verified_quantity, int) or isinstance(verified_quantity, bool) or verified_quantity < 1:
        errors["verified_quantity"] = _("The verified quantity must be a whole number of tonnes, at least 1.")
    elif verified_quantity > monitoring_report.quantity:
        errors["verified_quantity"] = _("The verified quantity cannot exceed the %(claimed)s t claimed.") % {
            "claimed": monitoring_report.quantity}
    if document is not None and document.application_id != application.pk:
        errors["document"] = _("The document must be one of this application's.")
    if errors:
        raise ValidationError(errors)
    if upload is not None:
        document = store_document(application, acting_user=acting_user, upload=upload,
                                  title=_("Verification report by %(verifier)s") % {"verifier": verifier})
    now = timezone.now()
    verification = Verification.objects.create(
        monitoring_report=monitoring_report, verifier=verifier, accreditation=accreditation,
        verified_quantity=verified_quantity, document=document, recorded_by=acting_user, recorded_at=now)
    _audit(Event.LEDGER_VERIFICATION, application, acting_user=acting_user, party=application.host_party_id, at=now,
           data={"monitoring_report": monitoring_report.pk, "verifier": verifier, "accreditation": accreditation,
                 "verified_quantity": verified_quantity, "document": getattr(document, "pk", None)})
    return verification


def verification_required(application: Application) -> bool:
    """Article 6.4: always (the mechanism issues against verified monitoring); Article 6.2: the host Party's setting."""
    return application.article_6_4 or application.host_party.issuance_requires_verification


def unissued_verifications(application: Application, vintage: int):
    return (Verification.objects.filter(monitoring_report__application=application, monitoring_report__vintage=vintage)
            .exclude(issuances__action_type=ActionType.ISSUANCE).order_by("id"))


def _verification_for_issuance(application: Application, vintage: int, quantity: int,
                               monitoring_report: MonitoringReport | None) -> Verification | None:
    """The verification an issuance draws on: the one named, else the oldest unissued one of the vintage that covers it."""
    if monitoring_report is not None:
        if monitoring_report.application_id != application.pk:
            raise ValidationError({"monitoring_report": _("That monitoring report is not this application's.")})
        verification = Verification.objects.select_for_update().filter(monitoring_report=monitoring_report).first()
        if verification is None:
            raise ValidationError({"monitoring_report": _("That monitoring report has not been verified.")})
        if monitoring_report.vintage != vintage:
            raise ValidationError({"vintage": _("That monitoring report is for vintage %(v)s.") % {"v": monitoring_report.vintage}})
        if verification.issuances.filter(action_type=ActionType.ISSUANCE).exists():
            raise LedgerConflict(_("Units were already issued against the verification of monitoring report %(id)s.")
                                 % {"id": monitoring_report.pk})
        if quantity > verification.verified_quantity:
            raise ValidationError({"quantity": _("Monitoring report %(id)s was verified for %(verified)s t; %(quantity)s were asked for.")
                                   % {"id": monitoring_report.pk, "verified": verification.verified_quantity, "quantity": quantity}})
        return verification
    if not verification_required(application):
        return None
    candidates = list(unissued_verifications(application, vintage).select_for_update())
    for verification in candidates:
        if verification.verified_quantity >= quantity:
            return verification
    available = sum(v.verified_quantity for v in candidates)
    raise ValidationError({"quantity": _(
        "%(available)s t of vintage %(vintage)s are verified and not yet issued (at most %(largest)s t in one verification); "
        "%(quantity)s were asked for. Issuance draws on one verified monitoring report."
    ) % {"available": available, "vintage": vintage, "largest": max((v.verified_quantity for v in candidates), default=0),
         "quantity": quantity}})


# --- issuance ----------------------------------------------------------------


def _host_approved_without_authorization(application: Application) -> bool:
    return application.state == State.APPROVED_FOR_MECHANISM


def mitigation_contribution_units(application: Application, loa: LetterOfAuthorization | None) -> bool:
    """An Article 6.4 activity the host approved without authorizing its A6.4ERs: they are mitigation contribution units."""
    return application.article_6_4 and not _in_force(application, loa) and _host_approved_without_authorization(application)


def issued_quantity(application: Application) -> int:
    """Authorized units issued (what counts against the LoA); mitigation contribution A6.4ERs do not."""
    return (Action.objects.filter(application=application, action_type=ActionType.ISSUANCE, mitigation_contribution=False)
            .aggregate(q=Sum("quantity"))["q"] or 0)


@transaction.atomic(durable=True)
def issue_itmos(*, application: Application, acting_user, vintage: int, quantity: int,
                cooperative_approach_id: str | None = None, monitoring_report: MonitoringReport | None = None) -> list[Action]:
    """Issue units of one vintage: ITMOs into the host registry (6.2), A6.4ERs into the mechanism registry (6.4).

    Never above the LoA's authorized quantity in total, never outside its vintages, and, where a
    verified report is required, never beyond one unissued verification of the vintage.
    Article 6.4 activities give 5% to the Adaptation Fund and cancel 2% for OMGE at once; their
    authorized A6.4ERs are forwarded to the host's national registry, mitigation contribution
    A6.4ERs stay in the mechanism registry. An LoA whose first transfer is its authorization or the
    issuance marks the authorized rest first-transferred.
    """
    application, loa = _lock_application(application)
    if not operates_registry_for_application(acting_user, application):
        raise PermissionDenied(_("Only approvers of the authority holding the CA approval duty may issue ITMOs."))
    contribution = mitigation_contribution_units(application, loa)
    if not contribution and not (_in_force(application, loa) or _awaiting_acquirers(application, loa)):
        raise LedgerConflict(_("ITMOs can only be issued under an authorized application whose authorization is in force (%(reference)s is %(state)s).")
                             % {"reference": application.reference, "state": application.get_state_display()})
    if _awaiting_acquirers(application, loa) and first_transfer_trigger(loa) != FirstTransferDefinition.INTERNATIONAL_TRANSFER:
        _refuse_before_acquirers_authorize(application)  # this letter's first transfer happens at issuance or before
    _positive_quantity(quantity)
    errors = {}
    low, high = (application.vintage_from, application.vintage_to) if contribution else (loa.vintage_from, loa.vintage_to)
    if not isinstance(vintage, int) or not low <= vintage <= high:
        errors["vintage"] = (_("The activity's vintages are %(a)s–%(b)s.") if contribution
                             else _("The LoA authorizes vintages %(a)s–%(b)s only.")) % {"a": low, "b": high}
    if not contribution:
        already = issued_quantity(application)
        if already + quantity > loa.authorized_quantity:
            errors["quantity"] = _("The LoA authorizes %(authorized)s ITMOs; %(issued)s are already issued, so at most %(left)s more can be.") % {
                "authorized": loa.authorized_quantity, "issued": already, "left": loa.authorized_quantity - already}
    approach = application.approach
    # The approach's identifier (its own code, provisional, until the UNFCCC's is recorded): issuance never waits for one.
    ca_id = approach.identifier if approach is not None else (application.cooperative_approach_id or (cooperative_approach_id or ""))
    if approach is not None:
        if cooperative_approach_id and cooperative_approach_id not in (approach.identifier, approach.unfccc_id):
            errors["cooperative_approach_id"] = _("This application's cooperative approach is %(id)s.") % {"id": approach.identifier}
    elif cooperative_approach_id and application.cooperative_approach_id and cooperative_approach_id != application.cooperative_approach_id:
        errors["cooperative_approach_id"] = _("This application's cooperative approach is %(id)s.") % {"id": application.cooperative_approach_id}
    elif not contribution and not CA_ID_PATTERN.match(ca_id):
        errors["cooperative_approach_id"] = _("Record the cooperative approach ID (CA followed by 4 digits) before issuing.")
    if errors:
        raise ValidationError(errors)
    verification = _verification_for_issuance(application, vintage, quantity, monitoring_report)
    if ca_id and approach is None and not application.cooperative_approach_id:
        Application.objects.filter(pk=application.pk).update(cooperative_approach_id=ca_id)

    now = timezone.now()
    host = application.host_party_id
    registry = registry_id_of(host)
    SerialCounter.objects.bulk_create([SerialCounter(registry_id=registry)], ignore_conflicts=True)
    counter = SerialCounter.objects.select_for_update().get(registry_id=registry)
    first_id = counter.last_id + 1
    counter.last_id += quantity
    counter.save(update_fields=["last_id"])

    national = entity_account(host, application.organisation)
    account = mechanism_account(application.organisation) if application.article_6_4 else national
    block = Block.objects.create(
        registry_id=registry, first_id=first_id, last_id=first_id + quantity - 1, quantity=quantity, account=account,
        application=application, cooperative_approach_id=ca_id, first_transferring_party_id=host, vintage=vintage,
        mitigation_contribution=contribution,
    )
    actions = [_action(ActionType.ISSUANCE, block, party_id=host, at=now, actor=acting_user, to_account=account,
                       verification=verification)]
    if application.article_6_4:
        actions += _mechanism_shares(application, vintage, quantity, account, host=host, at=now, acting_user=acting_user)
        if not contribution:  # authorized A6.4ERs go on to the host's national registry
            rest = list(Block.objects.filter(pk=block.pk, account=account))
            Block.objects.filter(pk__in=[b.pk for b in rest]).update(account=national)
            actions += [_action(ActionType.FORWARDING, b, party_id=host, at=now, actor=acting_user, from_account=account,
                                to_account=national) for b in rest]
    trigger = first_transfer_trigger(loa)
    if not contribution and trigger in (FirstTransferDefinition.AUTHORIZATION, FirstTransferDefinition.ISSUANCE):
        rest = list(Block.objects.filter(pk=block.pk, account=national))  # what stayed with the proponent after the shares
        _mark_first_transferred(rest)
        subtype = Subtype.AUTHORIZATION if trigger == FirstTransferDefinition.AUTHORIZATION else Subtype.ISSUANCE
        actions += [_action(ActionType.FIRST_TRANSFER, b, party_id=host, at=now, actor=acting_user, subtype=subtype) for b in rest]
    Action.objects.bulk_create(actions)
    _audit(Event.LEDGER_ISSUANCE, application, acting_user=acting_user, party=host, at=now,
           data={"vintage": vintage, "quantity": quantity, "actions": _summary(actions),
                 "monitoring_report": verification.monitoring_report_id if verification else None,
                 "mitigation_contribution": contribution})
    return actions


def _mechanism_shares(application: Application, vintage: int, quantity: int, account: RegistryAccount, *, host: str,
                      at, acting_user) -> list[Action]:
    """The share of proceeds to the Adaptation Fund account and the OMGE cancellation, taken at issuance."""
    actions = []
    for share, destination, kind, subtype in (
        (adaptation_fund_share(quantity), adaptation_fund_account(), ActionType.TRANSFER, Subtype.ADAPTATION_FUND),
        (omge_share(quantity), omge_account(), ActionType.CANCELLATION, Subtype.OMGE),
    ):
        if share:
            for piece, _source in _take(application=application, vintage=vintage, accounts=[account], quantity=share,
                                        destination=destination):
                actions.append(_action(kind, piece, party_id=host, at=at, actor=acting_user, subtype=subtype,
                                       from_account=account, to_account=destination))
    return actions


# --- transfer ------------------------------------------------------------------


@transaction.atomic(durable=True)
def transfer_itmos(*, application: Application, acting_user, vintage: int, quantity: int, to_party: Party,
                   from_party: Party | None = None) -> list[Action]:
    """Transfer ITMOs of one vintage from a Party's holding accounts to another Party's account.

    A serial not yet first-transferred whose first transfer is the first international
    transfer is first-transferred now (reported as First transfer; the CA counts it once).
    After a revocation only ITMOs already first-transferred may move.
    """
    application, loa = _lock_application(application)
    from_code = (from_party.pk if from_party is not None else application.host_party_id)
    allowed = (operates_registry_for_application(acting_user, application) if from_code == application.host_party_id
               else operates_registry_of(acting_user, from_code))
    if not allowed:
        raise PermissionDenied(_("Only approvers of the registry operator of %(party)s may transfer its ITMOs.") % {"party": from_code})
    _positive_quantity(quantity)
    if to_party.pk == from_code:
        raise ValidationError({"to_party": _("A transfer goes to another Party's account.")})
    if mitigation_contribution_units(application, loa):
        raise LedgerConflict(_("%(reference)s has mitigation contribution A6.4ERs only: the host did not authorize them for "
                               "international use, so they carry no corresponding adjustment and are never first-transferred.")
                             % {"reference": application.reference})
    if loa is None:
        raise LedgerConflict(_("%(reference)s has no Letter of Authorization.") % {"reference": application.reference})
    _refuse_before_acquirers_authorize(application)
    in_force = _in_force(application, loa)
    trigger = first_transfer_trigger(loa)
    now = timezone.now()
    accounts = list(RegistryAccount.objects.filter(party_id=from_code, kind__in=HOLDING_KINDS))
    destination = party_account(to_party.pk)
    moved = _take(application=application, vintage=vintage, accounts=accounts, quantity=quantity,
                  destination=destination, only_first_transferred=not in_force)
    first_transfers = [b for b, _s in moved if not b.first_transferred and trigger == FirstTransferDefinition.INTERNATIONAL_TRANSFER]
    if first_transfers and loa.acquiring_parties and to_party.pk not in loa.acquiring_parties:
        raise ValidationError({"to_party": _("The LoA authorizes first transfers to %(parties)s only.") % {"parties": ", ".join(loa.acquiring_parties)}})
    ids = {b.pk for b in first_transfers}
    _mark_first_transferred(first_transfers)
    actions = [
        _action(ActionType.FIRST_TRANSFER if block.pk in ids else ActionType.TRANSFER, block, party_id=from_code, at=now,
                actor=acting_user, subtype=Subtype.FIRST_TRANSFER_TO_PARTY if block.pk in ids else "",
                from_account_id=source, to_account=destination, acquiring_party=to_party)
        for block, source in moved
    ]
    # The acquiring Party reports the same serials as an Acquisition (a record, not a second movement).
    acquisitions = [_action(ActionType.ACQUISITION, block, party_id=to_party.pk, at=now, actor=acting_user,
                            transferring_party_id=from_code) for block, _s in moved]
    Action.objects.bulk_create(actions + acquisitions)
    _audit(Event.LEDGER_TRANSFER, application, acting_user=acting_user, party=from_code, at=now,
           data={"vintage": vintage, "quantity": quantity, "to_party": to_party.pk, "actions": _summary(actions)})
    return actions


# --- use and cancellation --------------------------------------------------------------


def _retire(kind: str, *, application: Application, acting_user, party: Party, vintage: int, quantity: int,
            subtype: str = "", purpose: str = "", year_used: int | None = None) -> list[Action]:
    application, loa = _lock_application(application)
    if not operates_registry_of(acting_user, party):
        raise PermissionDenied(_("Only approvers of the registry operator of %(party)s may use or cancel its ITMOs.") % {"party": party.pk})
    _positive_quantity(quantity)
    if loa is None:
        raise LedgerConflict(_("%(reference)s has no Letter of Authorization.") % {"reference": application.reference})
    now = timezone.now()
    trigger = first_transfer_trigger(loa)
    accounts = list(RegistryAccount.objects.filter(party_id=party.pk, kind__in=HOLDING_KINDS))
    destination = retirement_account(party.pk)
    in_force = _in_force(application, loa)
    # After a revocation nothing may be first-transferred, so at use only what already was may go.
    moved = _take(application=application, vintage=vintage, accounts=accounts, quantity=quantity, destination=destination,
                  only_first_transferred=not in_force and trigger == FirstTransferDefinition.USE_OR_CANCELLATION)
    actions = []
    if trigger == FirstTransferDefinition.USE_OR_CANCELLATION:
        first = [b for b, _s in moved if not b.first_transferred]
        _mark_first_transferred(first)
        actions += [_action(ActionType.FIRST_TRANSFER, b, party_id=b.first_transferring_party_id, at=now, actor=acting_user,
                            subtype=Subtype.USE_OR_CANCELLATION) for b in first]
    actions += [
        _action(kind, block, party_id=party.pk, at=now, actor=acting_user, subtype=subtype, from_account_id=source,
                to_account=destination, purpose=purpose, year_used=year_used)
        for block, source in moved
    ]
    Action.objects.bulk_create(actions)
    _audit(Event(f"ledger.{kind.lower().replace(' ', '_')}"), application, acting_user=acting_user, party=party.pk, at=now,
           data={"vintage": vintage, "quantity": quantity, "purpose": purpose, "year_used": year_used, "actions": _summary(actions)})
    return actions


@transaction.atomic(durable=True)
def use_itmos(*, application: Application, acting_user, party: Party, vintage: int, quantity: int,
              purpose: str = "NDC", year_used: int | None = None) -> list[Action]:
    """The holding Party uses ITMOs towards its NDC (for `year_used`, default this year) or an OIMP."""
    purpose = (purpose or "NDC").strip()
    if purpose == "NDC":
        year_used = year_used or timezone.now().year
        if not isinstance(year_used, int) or not 1990 <= year_used <= 2100:
            raise ValidationError({"year_used": _("Give the calendar year the ITMOs are used towards the NDC.")})
    else:
        year_used = None
    return _retire(ActionType.USE, application=application, acting_user=acting_user, party=party, vintage=vintage,
                   quantity=quantity, purpose=purpose, year_used=year_used)


@transaction.atomic(durable=True)
def cancel_itmos(*, application: Application, acting_user, party: Party, vintage: int, quantity: int,
                 voluntary: bool = False, purpose: str = "") -> list[Action]:
    """Cancel ITMOs (for an OIMP, or voluntarily for overall mitigation); a cancellation never reduces the CA."""
    if voluntary:
        return _retire(ActionType.VOLUNTARY_CANCELLATION, application=application, acting_user=acting_user, party=party,
                       vintage=vintage, quantity=quantity, subtype=Subtype.NONE, purpose=purpose)
    return _retire(ActionType.CANCELLATION, application=application, acting_user=acting_user, party=party, vintage=vintage,
                   quantity=quantity, subtype=Subtype.OTHER_CANCELLATION, purpose=purpose)
