"""What a user sees of applications: the visible set, the queue, the transitions offered now.

The rules themselves are `apps.permissions`; these turn them into querysets and lists.
"""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.governance.models import EscalationLevel, Role
from apps.permissions import REVIEWER_OR_APPROVER, organisation_ids_of, seats_of
from apps.workflow import engine

from .models import Application, Stage, State
from .workflow import APPLICATION


def visible_applications(user, queryset: QuerySet | None = None) -> QuerySet:
    """Applications of the user's organisations, and submitted ones in or under their authorities' jurisdictions.

    A draft is the proponent's working copy: officers see it once it is submitted (`permissions.can_view`); one
    withdrawn before it was ever submitted (it has no stage) stays the proponent's alone.
    """
    queryset = Application.objects.all() if queryset is None else queryset
    condition = Q(organisation_id__in=organisation_ids_of(user))
    paths = {seat.jurisdiction_path for seat in seats_of(user)}
    parties = {seat.party for seat in seats_of(user) if seat.party}
    if paths:
        in_jurisdiction = Q()
        for path in paths:
            in_jurisdiction |= Q(jurisdiction__path__startswith=path)
        never_submitted = Q(state=State.WITHDRAWN) & ~Exists(Stage.objects.filter(application=OuterRef("pk")))
        # The acquiring Party's officers read applications naming their Party, from submission on.
        if parties:
            in_jurisdiction |= Q(pk__in=Application.acquiring_parties.through.objects.filter(
                party_id__in=parties).values("application_id"))
        condition |= in_jurisdiction & ~Q(state=State.DRAFT) & ~never_submitted
    return queryset.filter(condition)


def available_transitions(user, application: Application) -> list[str]:
    """The transitions the user may fire now, in the decision panel's order."""
    return engine.available_transitions(APPLICATION, user, application)


def queue_branches(user) -> list[Q]:
    """Open-stage filters for what the user may act on now, and, for supervisors, what was escalated to them.

    One branch per authority and reason, each an equality on one indexed column, so
    the queue can read every branch in due order from an index and merge them.
    """
    branches: list[Q] = []
    for seat in seats_of(user):
        if seat.role in REVIEWER_OR_APPROVER:
            branches.append(Q(authority_id=seat.authority_id))
            branches.append(Q(escalation_authority_id=seat.authority_id, escalation_level__gte=EscalationLevel.NEXT_TIER,
                              next_tier_may_act=True))
        elif seat.role == Role.SUPERVISOR:
            branches.append(Q(authority_id=seat.authority_id, escalation_level__gte=EscalationLevel.SUPERVISORS))
            branches.append(Q(escalation_authority_id=seat.authority_id, escalation_level__gte=EscalationLevel.NEXT_TIER))
    return branches


def queue_condition(user) -> Q:
    """The queue as one Stage filter (the OR of `queue_branches`), open stages only."""
    condition = Q(pk__in=[])
    for branch in queue_branches(user):
        condition |= branch
    return condition & Q(closed_at__isnull=True)


def actionable_stages(user) -> QuerySet:
    """Open stages in the user's queue (the API's `/queue/`, the web's home page): `queue_condition`."""
    return Stage.objects.filter(queue_condition(user))
