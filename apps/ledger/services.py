"""Every change to the ledger: issue, transfer, use, cancel. Each is one transaction with row locks and an audit event.

Lock order, everywhere: the application row, then the serial counter, then blocks by
(registry_id, first_id). Bad input raises ValidationError (by field) before anything is
written; a revoked authorization raises LedgerConflict (409).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.services import record_event
from apps.authorizations.models import Application, FirstTransferDefinition, LetterOfAuthorization, LetterStatus, Purpose, State
from apps.workflow.engine import TransitionNotAvailable
from apps.governance.models import Party

from .models import HOLDING_KINDS, AccountKind, Action, ActionType, Block, RegistryAccount, SerialCounter, Subtype
from apps.permissions import operates_registry_for_application, operates_registry_of

CA_ID_PATTERN = re.compile(r"^CA\d{4}$")
ADAPTATION_FUND_PERCENT = 5  # share of proceeds, decision 3/CMA.3 annex (pacm_cycle.json step 10)
OMGE_PERCENT = 2  # at least 2% cancelled for overall mitigation (pacm_cycle.json step 11)


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


def first_transfer_trigger(loa: LetterOfAuthorization) -> str:
    """When an ITMO is first transferred: for NDC use the first international transfer; for OIMP what the LoA says."""
    if loa.purposes == Purpose.NDC:
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


# --- shared steps ------------------------------------------------------------


def _lock_application(application: Application) -> tuple[Application, LetterOfAuthorization | None]:
    locked = Application.objects.select_for_update().select_related("jurisdiction").get(pk=application.pk)
    # The current version's terms bind the ledger (an amendment's new quantity and vintages included).
    loa = LetterOfAuthorization.objects.filter(pk=locked.loa_id).first() if locked.loa_id else None
    return locked, loa


def _in_force(application: Application, loa: LetterOfAuthorization | None) -> bool:
    return application.state == State.AUTHORIZED and loa is not None and loa.status == LetterStatus.IN_FORCE


def _positive_quantity(quantity) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValidationError({"quantity": _("The quantity must be a whole number of ITMOs, at least 1.")})


def _action(kind: str, block: Block, *, party_id: str, at, actor, subtype: str = "", **fields) -> Action:
    return Action(
        action_type=kind, subtype=subtype, party_id=party_id, application_id=block.application_id,
        registry_id=block.registry_id, first_id=block.first_id, last_id=block.last_id, quantity=block.quantity,
        cooperative_approach_id=block.cooperative_approach_id, first_transferring_party_id=block.first_transferring_party_id,
        vintage=block.vintage, at=at, actor=actor if getattr(actor, "pk", None) else None, **fields,
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
            first_transferred=block.first_transferred,
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


# --- issuance ----------------------------------------------------------------


def issued_quantity(application: Application) -> int:
    return Action.objects.filter(application=application, action_type=ActionType.ISSUANCE).aggregate(q=Sum("quantity"))["q"] or 0


@transaction.atomic(durable=True)
def issue_itmos(*, application: Application, acting_user, vintage: int, quantity: int,
                cooperative_approach_id: str | None = None) -> list[Action]:
    """Issue ITMOs of one vintage under an authorized application into its proponent's account in the host registry.

    Never above the LoA's authorized quantity in total, never outside its vintages.
    Article 6.4 activities give 5% to the Adaptation Fund and cancel 2% for OMGE at once;
    an LoA whose first transfer is its authorization or the issuance marks the rest first-transferred.
    """
    application, loa = _lock_application(application)
    if not operates_registry_for_application(acting_user, application):
        raise PermissionDenied(_("Only approvers of the authority holding the CA approval duty may issue ITMOs."))
    if not _in_force(application, loa):
        raise LedgerConflict(_("ITMOs can only be issued under an authorized application whose authorization is in force (%(reference)s is %(state)s).")
                             % {"reference": application.reference, "state": application.get_state_display()})
    _positive_quantity(quantity)
    errors = {}
    if not isinstance(vintage, int) or not loa.vintage_from <= vintage <= loa.vintage_to:
        errors["vintage"] = _("The LoA authorizes vintages %(a)s–%(b)s only.") % {"a": loa.vintage_from, "b": loa.vintage_to}
    already = issued_quantity(application)
    if already + quantity > loa.authorized_quantity:
        errors["quantity"] = _("The LoA authorizes %(authorized)s ITMOs; %(issued)s are already issued, so at most %(left)s more can be.") % {
            "authorized": loa.authorized_quantity, "issued": already, "left": loa.authorized_quantity - already}
    ca_id = application.cooperative_approach_id or (cooperative_approach_id or "")
    if cooperative_approach_id and application.cooperative_approach_id and cooperative_approach_id != application.cooperative_approach_id:
        errors["cooperative_approach_id"] = _("This application's cooperative approach is %(id)s.") % {"id": application.cooperative_approach_id}
    elif not CA_ID_PATTERN.match(ca_id):
        errors["cooperative_approach_id"] = _("Record the cooperative approach ID (CA followed by 4 digits) before issuing.")
    if errors:
        raise ValidationError(errors)
    if not application.cooperative_approach_id:
        Application.objects.filter(pk=application.pk).update(cooperative_approach_id=ca_id)

    now = timezone.now()
    host = application.host_party_id
    registry = registry_id_of(host)
    SerialCounter.objects.bulk_create([SerialCounter(registry_id=registry)], ignore_conflicts=True)
    counter = SerialCounter.objects.select_for_update().get(registry_id=registry)
    first_id = counter.last_id + 1
    counter.last_id += quantity
    counter.save(update_fields=["last_id"])

    account = entity_account(host, application.organisation)
    block = Block.objects.create(
        registry_id=registry, first_id=first_id, last_id=first_id + quantity - 1, quantity=quantity, account=account,
        application=application, cooperative_approach_id=ca_id, first_transferring_party_id=host, vintage=vintage,
    )
    actions = [_action(ActionType.ISSUANCE, block, party_id=host, at=now, actor=acting_user, to_account=account)]
    if application.article_6_4:
        for share, destination, kind, subtype in (
            (adaptation_fund_share(quantity), adaptation_fund_account(), ActionType.TRANSFER, Subtype.ADAPTATION_FUND),
            (omge_share(quantity), retirement_account(host), ActionType.CANCELLATION, Subtype.OMGE),
        ):
            if share:
                for piece, _source in _take(application=application, vintage=vintage, accounts=[account], quantity=share,
                                            destination=destination):
                    actions.append(_action(kind, piece, party_id=host, at=now, actor=acting_user, subtype=subtype,
                                           from_account=account, to_account=destination))
    trigger = first_transfer_trigger(loa)
    if trigger in (FirstTransferDefinition.AUTHORIZATION, FirstTransferDefinition.ISSUANCE):
        rest = list(Block.objects.filter(pk=block.pk, account=account))  # what stayed with the proponent after the shares
        _mark_first_transferred(rest)
        subtype = Subtype.AUTHORIZATION if trigger == FirstTransferDefinition.AUTHORIZATION else Subtype.ISSUANCE
        actions += [_action(ActionType.FIRST_TRANSFER, b, party_id=host, at=now, actor=acting_user, subtype=subtype) for b in rest]
    Action.objects.bulk_create(actions)
    _audit("ledger.issuance", application, acting_user=acting_user, party=host, at=now,
           data={"vintage": vintage, "quantity": quantity, "actions": _summary(actions)})
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
    if loa is None:
        raise LedgerConflict(_("%(reference)s has no Letter of Authorization.") % {"reference": application.reference})
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
    _audit("ledger.transfer", application, acting_user=acting_user, party=from_code, at=now,
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
    _audit(f"ledger.{kind.lower().replace(' ', '_')}", application, acting_user=acting_user, party=party.pk, at=now,
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
