"""Whether a Party's configuration can carry applications: the checks behind the admin page and `manage.py check`.

A Party is ready when every duty is assigned to a tier with an SLA, every jurisdiction has an
authority holding each duty, every such authority has an active approver, and its time zones exist.
Each problem names what to fix, so the admin page and the system check say the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.core import checks
from django.db import DatabaseError, connections, router
from django.utils.translation import gettext as _

from .models import HOST_DUTIES, Authority, Duty, DutyAssignment, Jurisdiction, Membership, Party, Role, _time_zone_names


@dataclass(frozen=True)
class Problem:
    code: str  # the system check id, e.g. governance.W003
    message: str
    fix_at: str = ""  # the admin page where it is fixed, when it is not the Party's own


@dataclass(frozen=True)
class ProposedAssignment:
    """A duty assignment as an admin form proposes it, before it is saved."""

    duty: str
    tier_order: int
    sla_days: int | None


def _label(duty: str) -> str:
    return str(Duty(duty).label) if duty in Duty.values else duty


def _holders(jurisdictions: list[Jurisdiction], tier_order: int) -> dict[str, Authority | None]:
    """For each jurisdiction, the authority nearest it on its path at or above the duty's tier (as the selectors resolve it)."""
    by_code = {node.code: node for node in jurisdictions}
    holders = {}
    for node in jurisdictions:
        holder = None
        for code in reversed([code for code in node.path.split("/") if code]):
            ancestor = by_code.get(code)
            if ancestor is None or ancestor.tier.order > tier_order:
                continue
            if (authority := getattr(ancestor, "_authority", None)) is not None:
                holder = authority
                break
        holders[node.code] = holder
    return holders


def _listed(codes: list[str], limit: int = 8) -> str:
    shown = ", ".join(codes[:limit])
    return shown if len(codes) <= limit else _("%(codes)s and %(count)d more") % {"codes": shown, "count": len(codes) - limit}


def problems_of(party: Party, assignments: list[ProposedAssignment] | None = None) -> list[Problem]:
    """What stops the Party carrying applications; `assignments` checks proposed duty assignments instead of the saved ones."""
    problems = []
    names = _time_zone_names()
    if party.timezone not in names:
        problems.append(Problem("governance.W005", _("The time zone %(zone)s is not an IANA time zone.") % {"zone": party.timezone}))
    if assignments is None:
        assignments = [
            ProposedAssignment(duty=row.duty, tier_order=row.tier.order, sla_days=row.sla_days)
            for row in DutyAssignment.objects.filter(party=party).select_related("tier")
        ]
    jurisdictions = list(Jurisdiction.objects.filter(party=party).select_related("tier"))
    authorities = {a.jurisdiction_id: a for a in Authority.objects.filter(jurisdiction__party=party)}
    for node in jurisdictions:
        node._authority = authorities.get(node.code)
        if node.timezone and node.timezone not in names:
            problems.append(Problem("governance.W005", _("%(jurisdiction)s: the time zone %(zone)s is not an IANA time zone.") % {
                "jurisdiction": node.code, "zone": node.timezone}))
    assigned = {row.duty: row for row in assignments}
    missing = [_label(duty) for duty in HOST_DUTIES if duty not in assigned]
    if missing:
        problems.append(Problem("governance.W001", _("No tier is assigned: %(duties)s.") % {"duties": "; ".join(missing)}))
    if not jurisdictions:
        problems.append(Problem("governance.W002", _("The Party has no jurisdictions.")))
    holder_ids = set()
    for duty, row in assigned.items():
        if not row.sla_days:
            problems.append(Problem("governance.W004", _("%(duty)s has no SLA: set the days the holder has to decide.") % {
                "duty": _label(duty)}))
        holders = _holders(jurisdictions, row.tier_order)
        unheld = sorted(code for code, holder in holders.items() if holder is None)
        if unheld:
            problems.append(Problem("governance.W002", _("No authority holds %(duty)s for %(jurisdictions)s.") % {
                "duty": _label(duty), "jurisdictions": _listed(unheld)}))
        holder_ids |= {holder.pk for holder in holders.values() if holder is not None}
    approved = set(Membership.objects.filter(authority_id__in=holder_ids, role=Role.APPROVER, user__is_active=True)
                   .values_list("authority_id", flat=True))
    for authority in sorted((a for a in authorities.values() if a.pk in holder_ids and a.pk not in approved),
                            key=lambda a: a.jurisdiction_id):
        problems.append(Problem("governance.W003", _("%(authority)s (%(jurisdiction)s) holds a duty but has no active approver: "
                                                     "its applications would wait unseen until escalation.") % {
            "authority": authority.name, "jurisdiction": authority.jurisdiction_id},
            fix_at=f"/admin/governance/authority/{authority.pk}/change/"))
    return problems


def proposed_from_forms(forms) -> list[ProposedAssignment]:
    """The duty assignments an inline formset would leave once saved (deleted rows dropped)."""
    proposed = []
    for form in forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE") or not data.get("duty") or not data.get("tier"):
            continue
        proposed.append(ProposedAssignment(duty=data["duty"], tier_order=data["tier"].order, sla_days=data.get("sla_days")))
    return proposed


def _tables_exist(alias: str) -> bool:
    tables = connections[alias].introspection.table_names()
    return all(model._meta.db_table in tables for model in (Party, Jurisdiction, Authority, DutyAssignment, Membership))


@checks.register("governance")
def check_host_parties_are_ready(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """`manage.py check`: one warning per problem of each host Party (none before the tables exist or without a database)."""
    alias = router.db_for_read(Party)
    try:
        if not _tables_exist(alias):
            return []
        parties = list(Party.objects.using(alias).filter(is_host=True).order_by("code"))
        found = [(party, problem) for party in parties for problem in problems_of(party)]
    except DatabaseError:
        return []
    return [
        checks.Warning(problem.message, obj=party, id=problem.code, hint=_("Fix it in the admin: %(page)s") % {
            "page": problem.fix_at or f"/admin/governance/party/{party.code}/change/"})
        for party, problem in found
    ]
