"""Who may see and who may fire each transition: one set of predicates for services, web and API.

Superusers get no shortcut here: administrators configure, and decide only when
they are also members of the authority with the role.
"""
from __future__ import annotations

from dataclasses import dataclass

import rules
from django.db.models import Q, QuerySet

from apps.governance.models import Duty, Membership, Role

from .models import Application, LetterOfAuthorization, Stage, State

APPROVER = (Role.APPROVER,)
REVIEWER_OR_APPROVER = (Role.REVIEWER, Role.APPROVER)


@dataclass(frozen=True)
class Seat:
    """One of the user's memberships, as the predicates need it."""

    authority_id: int
    role: str
    jurisdiction_path: str


def seats_of(user) -> list[Seat]:
    """The user's memberships, read once per user object (one request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_tierflow_seats", None)
    if cached is None:
        cached = [
            Seat(authority_id, role, path)
            for authority_id, role, path in Membership.objects.filter(user=user).values_list(
                "authority_id", "role", "authority__jurisdiction__path"
            )
        ]
        user._tierflow_seats = cached
    return cached


def organisation_ids_of(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_tierflow_organisations", None)
    if cached is None:
        cached = set(user.organisations.values_list("pk", flat=True))
        user._tierflow_organisations = cached
    return cached


def holds(user, authority_id: int | None, roles) -> bool:
    return authority_id is not None and any(s.authority_id == authority_id and s.role in roles for s in seats_of(user))


def visible_applications(user, queryset: QuerySet | None = None) -> QuerySet:
    """Applications of the user's organisations, and submitted ones in or under their authorities' jurisdictions.

    A draft is the proponent's working copy: officers see it once it is submitted.
    """
    queryset = Application.objects.all() if queryset is None else queryset
    condition = Q(organisation_id__in=organisation_ids_of(user))
    paths = {seat.jurisdiction_path for seat in seats_of(user)}
    if paths:
        in_jurisdiction = Q()
        for path in paths:
            in_jurisdiction |= Q(jurisdiction__path__startswith=path)
        condition |= in_jurisdiction & ~Q(state=State.DRAFT)
    return queryset.filter(condition)


def can_view(user, application: Application) -> bool:
    if application.organisation_id in organisation_ids_of(user):
        return True
    if application.state == State.DRAFT:
        return False
    path = application.jurisdiction.path
    return any(path.startswith(seat.jurisdiction_path) for seat in seats_of(user))


def open_stage_of(application: Application) -> Stage | None:
    """The open stage, from a prefetch when the caller made one."""
    cache = getattr(application, "_prefetched_objects_cache", {})
    if "stages" in cache:
        return next((s for s in cache["stages"] if s.closed_at is None), None)
    if not hasattr(application, "_open_stage"):
        # The authorities come along: issuing a letter names the one acting, without another query.
        application._open_stage = (
            Stage.objects.open().filter(application=application)
            .select_related("authority", "escalation_authority").first()
        )
    return application._open_stage


def _acts_for_stage(user, application: Application, roles, duty: str | None = None) -> bool:
    stage = open_stage_of(application)
    if stage is None or (duty is not None and stage.duty != duty):
        return False
    if holds(user, stage.authority_id, roles):
        return True
    # After the grace period the next tier up may step in, where the policy allows.
    return stage.escalation_level >= 2 and stage.next_tier_may_act and holds(user, stage.escalation_authority_id, roles)


@rules.predicate
def is_proponent(user, application: Application) -> bool:
    return application.organisation_id in organisation_ids_of(user)


@rules.predicate
def reviews_current_stage(user, application: Application) -> bool:
    return _acts_for_stage(user, application, REVIEWER_OR_APPROVER)


@rules.predicate
def approves_current_stage(user, application: Application) -> bool:
    return _acts_for_stage(user, application, APPROVER)


@rules.predicate
def approves_loa_stage(user, application: Application) -> bool:
    return _acts_for_stage(user, application, APPROVER, Duty.LOA_ISSUANCE)


@rules.predicate
def approves_ca_stage(user, application: Application) -> bool:
    return _acts_for_stage(user, application, APPROVER, Duty.CA_APPROVAL)


@rules.predicate
def approves_for_an_authorizing_duty(user, application: Application) -> bool:
    """Approver of the authority that issued the LoA or of the one holding / that held the CA stage."""
    loa = loa_of(application)
    if loa is not None and holds(user, loa.issuing_authority_id, APPROVER):
        return True
    return any(
        holds(user, stage.authority_id, APPROVER)
        for stage in _stages(application)
        if stage.duty == Duty.CA_APPROVAL
    )


def loa_of(application: Application) -> LetterOfAuthorization | None:
    try:
        return application.loa
    except LetterOfAuthorization.DoesNotExist:
        return None


def _stages(application: Application) -> list[Stage]:
    cache = getattr(application, "_prefetched_objects_cache", {})
    if "stages" in cache:
        return list(cache["stages"])
    return list(application.stages.all())


transition_rules = rules.RuleSet()
transition_rules.add_rule("submit", is_proponent)
transition_rules.add_rule("resubmit", is_proponent)
transition_rules.add_rule("withdraw", is_proponent)
transition_rules.add_rule("request_changes", reviews_current_stage)
transition_rules.add_rule("issue_loa", approves_loa_stage)
transition_rules.add_rule("approve_ca", approves_ca_stage)
transition_rules.add_rule("reject", approves_current_stage)
transition_rules.add_rule("revoke", approves_for_an_authorizing_duty)


def may_fire(user, transition: str, application: Application) -> bool:
    return transition_rules.test_rule(transition, user, application)


def available_transitions(user, application: Application) -> list[str]:
    """The transitions the user may fire now: allowed from the state and permitted to the user."""
    # Requirements are not checked here: a proponent should see "submit" and, on
    # trying it, the message saying what is missing.
    return [
        t.name
        for t in application.get_all_state_transitions()
        if t.source == application.state and may_fire(user, t.name, application)
    ]


def actionable_stages(user) -> QuerySet:
    """Open stages in the user's queue (the API's `/queue/`, the web's home page): `queue_condition`."""
    return Stage.objects.filter(queue_condition(user))


def queue_branches(user) -> list[Q]:
    """Open-stage filters for what the user may act on now, and, for supervisors, what was escalated to them.

    One branch per authority and reason, each an equality on one indexed column, so
    the queue can read every branch in due order from an index and merge them.
    """
    branches: list[Q] = []
    for seat in seats_of(user):
        if seat.role in REVIEWER_OR_APPROVER:
            branches.append(Q(authority_id=seat.authority_id))
            branches.append(Q(escalation_authority_id=seat.authority_id, escalation_level__gte=2, next_tier_may_act=True))
        elif seat.role == Role.SUPERVISOR:
            branches.append(Q(authority_id=seat.authority_id, escalation_level__gte=1))
            branches.append(Q(escalation_authority_id=seat.authority_id, escalation_level__gte=2))
    return branches


def queue_condition(user) -> Q:
    """The queue as one Stage filter (the OR of `queue_branches`), open stages only."""
    condition = Q(pk__in=[])
    for branch in queue_branches(user):
        condition |= branch
    return condition & Q(closed_at__isnull=True)


def is_officer(user) -> bool:
    return bool(seats_of(user))


def is_proponent_member(user) -> bool:
    return bool(organisation_ids_of(user))


def is_top_tier_officer(user) -> bool:
    """A member of an authority at a Party's top tier (a root jurisdiction): sees the Party's dashboard."""
    return any(seat.jurisdiction_path.count("/") == 1 for seat in seats_of(user))
