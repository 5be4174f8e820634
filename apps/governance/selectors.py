"""Reads of the governance configuration: who holds a duty for a given jurisdiction."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connections, router
from django.utils.translation import gettext as _

from .models import Authority, Duty, DutyAssignment, Jurisdiction, Party, Tier


class DutyNotHeld(ImproperlyConfigured, ValidationError):
    """No authority holds a duty for a jurisdiction: a configuration gap the user is told about (400), not a crash.

    Still an ImproperlyConfigured, so callers that fall back on it keep doing so.
    """

    def __init__(self, jurisdiction_code: str, duty: str):
        label = Duty(duty).label if duty in Duty.values else duty
        ValidationError.__init__(self, _(
            "This application cannot go forward yet: no authority in %(jurisdiction)s holds the duty %(duty)s. "
            "The Party's administrators have to complete its configuration; nothing was changed.") % {
            "jurisdiction": jurisdiction_code, "duty": label}, code="duty_not_held")


@dataclass(frozen=True)
class DutyHolder:
    """The authority that holds a duty for one jurisdiction, with the policy that governs its stage."""

    authority: Authority
    assignment: DutyAssignment
    escalation_authority: Authority | None  # the next tier up with an authority, if any


def lineage_with_authorities(jurisdiction: Jurisdiction) -> list[Jurisdiction]:
    """The jurisdiction and its ancestors, nearest first, each with tier and authority loaded (one query)."""
    codes = [code for code in jurisdiction.path.split("/") if code]
    nodes = Jurisdiction.objects.filter(code__in=codes).select_related("tier", "authority", "party")
    by_code = {node.code: node for node in nodes}
    return [by_code[code] for code in reversed(codes)]


def _authority_of(node: Jurisdiction) -> Authority | None:
    try:
        return node.authority
    except Authority.DoesNotExist:
        return None


def resolve_duty_holder(jurisdiction: Jurisdiction, duty: str) -> DutyHolder:
    """The authority at the duty's tier on the jurisdiction's path, or the next tier up with one.

    A Malaysian federal territory has no state forestry department, so the State
    duty falls to the federal ministry.
    """
    return resolve_duty_holder_for(jurisdiction.pk, duty)


def _resolve_duty_holder_portably(jurisdiction: Jurisdiction, duty: str) -> DutyHolder:
    """Three ORM queries, for databases other than PostgreSQL (the SQLite of `make run`)."""
    try:
        assignment = DutyAssignment.objects.select_related("tier").get(party_id=jurisdiction.party_id, duty=duty)
    except DutyAssignment.DoesNotExist:
        raise DutyNotHeld(jurisdiction.code, duty) from None
    lineage = lineage_with_authorities(jurisdiction)
    holders = [
        (node, authority)
        for node in lineage
        if node.tier.order <= assignment.tier.order and (authority := _authority_of(node)) is not None
    ]
    if not holders:
        raise DutyNotHeld(jurisdiction.code, duty)
    escalation = holders[1][1] if len(holders) > 1 else None
    return DutyHolder(authority=holders[0][1], assignment=assignment, escalation_authority=escalation)


def _columns(model, alias: str) -> str:
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def _build(model, values: list, db: str):
    return model.from_db(db, [field.attname for field in model._meta.concrete_fields], values)


# The assignment (with its tier) and the two nearest authorities at or above the duty's tier on the
# jurisdiction's path (the holder, then the next tier up): one query instead of three.
_HOLDER_SQL = """
SELECT j.party_id, p.timezone, {assignment}, {assignment_tier}, h.*
FROM governance_jurisdiction j
JOIN governance_party p ON p.code = j.party_id
LEFT JOIN governance_dutyassignment da ON da.party_id = j.party_id AND da.duty = %(duty)s
LEFT JOIN governance_tier dt ON dt.id = da.tier_id
LEFT JOIN LATERAL (
    SELECT {node}, {node_tier}, {authority}
    FROM governance_jurisdiction node
    JOIN governance_tier nt ON nt.id = node.tier_id
    JOIN governance_authority a ON a.jurisdiction_id = node.code
    WHERE node.code = ANY(string_to_array(rtrim(j.path, '/'), '/')) AND nt."order" <= dt."order"
    ORDER BY length(node.path) DESC
    LIMIT 2
) h ON da.id IS NOT NULL
WHERE j.code = %(code)s
"""


def resolve_duty_holder_for(jurisdiction_code: str, duty: str) -> DutyHolder:
    """`resolve_duty_holder` from the jurisdiction's code alone, in one SQL query."""
    widths = [len(model._meta.concrete_fields) for model in (DutyAssignment, Tier, Jurisdiction, Tier, Authority)]
    sql = _HOLDER_SQL.format(
        assignment=_columns(DutyAssignment, "da"), assignment_tier=_columns(Tier, "dt"),
        node=_columns(Jurisdiction, "node"), node_tier=_columns(Tier, "nt"), authority=_columns(Authority, "a"),
    )
    db = router.db_for_read(DutyAssignment)
    if connections[db].vendor != "postgresql":
        return _resolve_duty_holder_portably(Jurisdiction.objects.get(pk=jurisdiction_code), duty)
    with connections[db].cursor() as cursor:
        cursor.execute(sql, {"duty": duty, "code": jurisdiction_code})
        rows = cursor.fetchall()
    if not rows:
        raise Jurisdiction.DoesNotExist(f"No jurisdiction {jurisdiction_code!r}")
    party_id, party_timezone = rows[0][0], rows[0][1]
    # The Party with only its time zone loaded: deadlines are computed in it without another query.
    party = Party.from_db(db, ["code", "timezone"], [party_id, party_timezone])
    if rows[0][2] is None:
        raise DutyNotHeld(jurisdiction_code, duty)

    def split(row):
        values, start = [], 2
        for width in widths:
            values.append(list(row[start:start + width]))
            start += width
        return values

    assignment_values, assignment_tier_values, *_ = split(rows[0])
    assignment = _build(DutyAssignment, assignment_values, db)
    assignment.tier = _build(Tier, assignment_tier_values, db)
    authorities = []
    for row in rows:
        _, _, node_values, node_tier_values, authority_values = split(row)
        if authority_values[0] is None:
            continue
        node = _build(Jurisdiction, node_values, db)
        node.tier = _build(Tier, node_tier_values, db)
        node.party = party
        authority = _build(Authority, authority_values, db)
        authority.jurisdiction = node
        authorities.append(authority)
    if not authorities:
        raise DutyNotHeld(jurisdiction_code, duty)
    escalation = authorities[1] if len(authorities) > 1 else None
    return DutyHolder(authority=authorities[0], assignment=assignment, escalation_authority=escalation)
