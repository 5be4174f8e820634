"""Who operates a Party's ITMO registry, and who approves its UNFCCC report.

The registry operator is the authority holding `ca_approval` (it commits the Party
to the corresponding adjustment, so it records what is issued and first transferred).
A Party without duty assignments (an acquiring Party) is operated by its national authority.
"""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from apps.authorizations.models import Application
from apps.authorizations.permissions import APPROVER, REVIEWER_OR_APPROVER, holds, is_proponent, seats_of
from apps.governance.models import Authority, Duty, Jurisdiction, Party
from apps.governance.selectors import resolve_duty_holder

from .models import Block


def _root_of(party: Party | str) -> Jurisdiction | None:
    code = party.pk if isinstance(party, Party) else party
    return Jurisdiction.objects.filter(party_id=code, parent__isnull=True).select_related("authority").first()


def duty_authority_of_party(party: Party | str, duty: str) -> Authority | None:
    """The authority holding a national duty for the Party (its root jurisdiction's holder)."""
    root = _root_of(party)
    if root is None:
        return None
    try:
        return resolve_duty_holder(root, duty).authority
    except ImproperlyConfigured:
        try:
            return root.authority
        except Authority.DoesNotExist:
            return None


def registry_operator_of(party: Party | str) -> Authority | None:
    return duty_authority_of_party(party, Duty.CA_APPROVAL)


def operates_registry_for_application(user, application: Application) -> bool:
    """Approver of the `ca_approval` holder of the application's jurisdiction: may issue and transfer."""
    try:
        holder = resolve_duty_holder(application.jurisdiction, Duty.CA_APPROVAL).authority
    except ImproperlyConfigured:
        return False
    return holds(user, holder.pk, APPROVER)


def operates_registry_of(user, party: Party | str) -> bool:
    authority = registry_operator_of(party)
    return authority is not None and holds(user, authority.pk, APPROVER)


def approves_reports_of(user, party: Party | str) -> bool:
    authority = duty_authority_of_party(party, Duty.REPORT_APPROVAL)
    return authority is not None and holds(user, authority.pk, APPROVER)


def prepares_reports_of(user, party: Party | str) -> bool:
    """Reviewers and approvers of the report holder, and approvers of the registry operator, prepare the draft."""
    authority = duty_authority_of_party(party, Duty.REPORT_APPROVAL)
    if authority is not None and holds(user, authority.pk, REVIEWER_OR_APPROVER):
        return True
    return operates_registry_of(user, party)


def sees_ledger_of(user, party: Party | str) -> bool:
    """Staff of the report holder or of the registry operator see the Party's ledger and reports."""
    code = party.pk if isinstance(party, Party) else party
    ids = {a.pk for a in (duty_authority_of_party(code, Duty.REPORT_APPROVAL), registry_operator_of(code)) if a is not None}
    return any(seat.authority_id in ids for seat in seats_of(user))


def parties_seen_by(user) -> list[str]:
    """Parties whose ledger and reports the user may see."""
    paths = {seat.jurisdiction_path for seat in seats_of(user)}
    codes = sorted(set(Jurisdiction.objects.filter(path__in=paths, parent__isnull=True).values_list("party_id", flat=True)))
    return [code for code in codes if sees_ledger_of(user, code)]


def holds_itmos_of(user, application: Application) -> bool:
    """Approver of the registry operator of a Party whose accounts hold, or held, ITMOs of the application."""
    parties = Block.objects.filter(application=application, account__party__isnull=False).values_list(
        "account__party_id", flat=True).distinct()
    return any(operates_registry_of(user, party) for party in parties)


def submits_monitoring_for(user, application: Application) -> bool:
    """The activity's proponent reports what it achieved; the verifier and the registry operator check it."""
    return bool(getattr(user, "is_authenticated", False)) and is_proponent(user, application)


def records_verification_for(user, application: Application) -> bool:
    """Approvers of the CA approval holder record the accredited verifier's result (they also issue)."""
    return operates_registry_for_application(user, application)


def approves_mechanism_participation(user, application: Application) -> bool:
    """Until the workflow has a host-approval stage, the CA approval holder's approvers record it (they commit the Party)."""
    return operates_registry_for_application(user, application)
