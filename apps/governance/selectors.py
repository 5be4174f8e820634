"""Reads of the governance configuration: who holds a duty for a given jurisdiction."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from .models import Authority, DutyAssignment, Jurisdiction


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
    try:
        assignment = DutyAssignment.objects.select_related("tier").get(party_id=jurisdiction.party_id, duty=duty)
    except DutyAssignment.DoesNotExist:
        raise ImproperlyConfigured(f"{jurisdiction.party_id}: no tier is assigned the duty {duty!r}") from None
    lineage = lineage_with_authorities(jurisdiction)
    holders = [
        (node, authority)
        for node in lineage
        if node.tier.order <= assignment.tier.order and (authority := _authority_of(node)) is not None
    ]
    if not holders:
        raise ImproperlyConfigured(f"No authority holds {duty!r} for {jurisdiction.code}")
    escalation = holders[1][1] if len(holders) > 1 else None
    return DutyHolder(authority=holders[0][1], assignment=assignment, escalation_authority=escalation)
