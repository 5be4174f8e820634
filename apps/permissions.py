"""Who may see and who may do what, for applications, the ledger and reports: the one home of these rules.

Everything here reads the caller's seats (memberships) and the governance configuration, and the
objects it is handed through their own relations, so it imports no app above governance: the
workflow tables, services, web and API all ask the same predicates.

Superusers get no shortcut here: administrators configure, and decide only when they are also
members of the authority with the role.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import rules
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.governance.models import (
    MECHANISM_DUTIES, Authority, Duty, EscalationLevel, Jurisdiction, Membership, Party, ProponentOrganisation, Role,
)
from apps.governance.selectors import resolve_duty_holder

APPROVER = (Role.APPROVER,)
REVIEWER_OR_APPROVER = (Role.REVIEWER, Role.APPROVER)
# The application's draft state: a proponent's working copy that officers do not see; nor a withdrawn one never submitted.
DRAFT, WITHDRAWN = "draft", "withdrawn"


# --- the caller's seats -------------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    """One of the user's memberships, as the predicates need it."""

    authority_id: int
    role: str
    jurisdiction_path: str
    party: str = ""


ORGANISATION, SEAT = 0, 1


@cache
def _caller_sql(with_device: bool) -> str:
    """Fixed text, built once from the models' tables: the ORM compiled these joins for longer than they ran."""
    members = ProponentOrganisation.members.through._meta.db_table
    membership, authority, jurisdiction = (m._meta.db_table for m in (Membership, Authority, Jurisdiction))
    # The decision's second-factor check rides on this query (a transition's statement budget).
    device = (f'EXISTS (SELECT 1 FROM "{TOTPDevice._meta.db_table}" d WHERE d.user_id = s.user_id AND d.confirmed)'
              if with_device else "FALSE")
    return (f"SELECT {ORGANISATION}, m.proponentorganisation_id, '', '', '', FALSE FROM \"{members}\" m WHERE m.user_id = %s "
            f"UNION ALL SELECT {SEAT}, s.authority_id, s.role, j.path, j.party_id, {device} FROM \"{membership}\" s "
            f'JOIN "{authority}" a ON a.id = s.authority_id JOIN "{jurisdiction}" j ON j.code = a.jurisdiction_id '
            f"WHERE s.user_id = %s ORDER BY 1, 2, 3")  # one order, so the queue's branches come out the same each time


def remember_caller(user, organisation_ids, seats) -> None:
    """Leave the caller's organisations and seats where the predicates read them (one request, one user object)."""
    user._tierflow_organisations = set(organisation_ids)
    user._tierflow_seats = [Seat(authority_id, role, path, party) for authority_id, role, path, party in seats]


def resolve_caller(user) -> None:
    """The caller's organisations and memberships in one query, read once per user object (one request).

    A no-op for anonymous users and for a user object already resolved.
    """
    if not getattr(user, "is_authenticated", False):
        return
    if getattr(user, "_tierflow_seats", None) is not None and getattr(user, "_tierflow_organisations", None) is not None:
        return
    enforced = bool(getattr(settings, "TIERFLOW_REQUIRE_2FA", False))
    with connection.cursor() as cursor:
        cursor.execute(_caller_sql(enforced), [user.pk, user.pk])
        rows = cursor.fetchall()
    seats = [row for row in rows if row[0] == SEAT]
    remember_caller(user, [row[1] for row in rows if row[0] == ORGANISATION], [row[1:5] for row in seats])
    if enforced and seats:
        user._tierflow_has_device = bool(seats[0][5])


def seats_of(user) -> list[Seat]:
    """The user's memberships, read once per user object (one request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if getattr(user, "_tierflow_seats", None) is None:
        resolve_caller(user)
    return user._tierflow_seats


def organisation_ids_of(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    if getattr(user, "_tierflow_organisations", None) is None:
        resolve_caller(user)
    return user._tierflow_organisations


def filing_organisation_of(user):
    """The organisation a proponent files new applications under (the first they joined), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return user.organisations.order_by("pk").first()


def holds(user, authority_id: int | None, roles) -> bool:
    return authority_id is not None and any(s.authority_id == authority_id and s.role in roles for s in seats_of(user))


def is_officer(user) -> bool:
    return bool(seats_of(user))


def is_proponent_member(user) -> bool:
    return bool(organisation_ids_of(user))


def is_top_tier_officer(user) -> bool:
    """A member of an authority at a Party's top tier (a root jurisdiction): sees the Party's dashboard."""
    return any(seat.jurisdiction_path.count("/") == 1 for seat in seats_of(user))


# --- applications -------------------------------------------------------------------------------


def open_stage_of(application):
    """The open stage, from a prefetch when the caller made one."""
    cache = getattr(application, "_prefetched_objects_cache", {})
    if "stages" in cache:
        return next((s for s in cache["stages"] if s.closed_at is None), None)
    if not hasattr(application, "_open_stage"):
        # The authorities come along: issuing a letter names the one acting, without another query.
        application._open_stage = (
            application.stages.filter(closed_at__isnull=True).select_related("authority", "escalation_authority").first()
        )
    return application._open_stage


def stages_of(application) -> list:
    cache = getattr(application, "_prefetched_objects_cache", {})
    if "stages" in cache:
        return list(cache["stages"])
    return list(application.stages.all())


def loa_of(application):
    """The application's current Letter of Authorization version, or None."""
    return application.loa


def next_tier_may_act(stage) -> bool:
    """After the grace period the next tier up may step in, where the duty assignment allows."""
    return (stage.escalation_level >= EscalationLevel.NEXT_TIER and stage.next_tier_may_act
            and stage.escalation_authority_id is not None)


def acts_for_stage(user, application, roles, duty: str | None = None) -> bool:
    stage = open_stage_of(application)
    if stage is None or (duty is not None and stage.duty != duty):
        return False
    if holds(user, stage.authority_id, roles):
        return True
    return next_tier_may_act(stage) and holds(user, stage.escalation_authority_id, roles)


def can_view(user, application) -> bool:
    """The proponent's organisation, and officers in or above the jurisdiction once it is submitted."""
    if application.organisation_id in organisation_ids_of(user):
        return True
    if application.state == DRAFT or (application.state == WITHDRAWN and not stages_of(application)):
        return False
    path = application.jurisdiction.path
    seats = seats_of(user)
    if any(path.startswith(seat.jurisdiction_path) for seat in seats):
        return True
    # The acquiring Party's officers read what names their Party (acting only on their own stage).
    return bool(seats) and bool(acquiring_party_codes(application) & {seat.party for seat in seats})


def acquiring_party_codes(application) -> set[str]:
    codes = getattr(application, "acquiring_codes", None)  # the API's detail read loaded them already
    if codes is not None:
        return set(codes)
    cache = getattr(application, "_prefetched_objects_cache", {})
    if "acquiring_parties" in cache:
        return {party.pk for party in cache["acquiring_parties"]}
    return set(application.acquiring_parties.values_list("pk", flat=True))


def open_acquiring_stage_of(user, application, roles=APPROVER):
    """The open `acquiring_authorization` stage the user acts for (their Party's authority, or the next tier up after escalation)."""
    for stage in stages_of(application):
        if stage.closed_at is None and stage.duty == Duty.ACQUIRING_AUTHORIZATION and (
                holds(user, stage.authority_id, roles) or (next_tier_may_act(stage) and holds(user, stage.escalation_authority_id, roles))):
            return stage
    return None


@rules.predicate
def approves_acquiring_stage(user, application) -> bool:
    """Approver of the authority holding an acquiring Party's open `acquiring_authorization` stage."""
    return open_acquiring_stage_of(user, application) is not None


@rules.predicate
def is_proponent(user, application) -> bool:
    return application.organisation_id in organisation_ids_of(user)


@rules.predicate
def reviews_current_stage(user, application) -> bool:
    return acts_for_stage(user, application, REVIEWER_OR_APPROVER)


@rules.predicate
def approves_current_stage(user, application) -> bool:
    return acts_for_stage(user, application, APPROVER)


@rules.predicate
def approves_loa_stage(user, application) -> bool:
    return acts_for_stage(user, application, APPROVER, Duty.LOA_ISSUANCE)


@rules.predicate
def approves_ca_stage(user, application) -> bool:
    return acts_for_stage(user, application, APPROVER, Duty.CA_APPROVAL)


@rules.predicate
def approves_host_approval_stage(user, application) -> bool:
    """Approver of the authority holding the open stage of the host's Article 6.4 approval (or of a CDM transition)."""
    stage = open_stage_of(application)
    return stage is not None and stage.duty in MECHANISM_DUTIES and acts_for_stage(user, application, APPROVER, stage.duty)


@rules.predicate
def approves_for_an_authorizing_duty(user, application) -> bool:
    """Approver of the authority that issued the current LoA or of the one holding / that held the CA stage."""
    loa = loa_of(application)
    if loa is not None and holds(user, loa.issuing_authority_id, APPROVER):
        return True
    return any(holds(user, stage.authority_id, APPROVER) for stage in stages_of(application) if stage.duty == Duty.CA_APPROVAL)


def may_edit(user, application, editable_states) -> bool:
    """Only the proponent, only while the application is in one of its editable states."""
    return is_proponent(user, application) and application.state in editable_states


# --- case work: who holds, hands on and annotates a case (the staff of the authority whose stage it is) ---

CASE_STAFF = {Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR}
CASE_ASSIGNERS = {Role.APPROVER, Role.SUPERVISOR}


def stage_authorities(stage) -> set[int]:
    """The stage's authority, and the next tier up once the stage is escalated to it."""
    ids = {stage.authority_id}
    if stage.escalation_level >= EscalationLevel.NEXT_TIER and stage.escalation_authority_id:
        ids.add(stage.escalation_authority_id)
    return ids


def _roles_at(user, authority_ids: set[int]) -> set[str]:
    return {seat.role for seat in seats_of(user) if seat.authority_id in authority_ids}


def may_hold(user, stage) -> bool:
    """Staff of the stage's authority (or of the next tier up, once escalated to it) may have the case."""
    return bool(_roles_at(user, stage_authorities(stage)) & CASE_STAFF)


def may_assign(user, stage) -> bool:
    """Approvers and supervisors hand a case to a colleague or take it back (supervisors on escalated work too)."""
    return bool(_roles_at(user, stage_authorities(stage)) & CASE_ASSIGNERS)


def may_nudge(user, stage) -> bool:
    """Once a stage is overdue, a supervisor of its authority (or of the next tier up, once escalated there) may nudge its staff."""
    return stage.escalation_level >= EscalationLevel.SUPERVISORS and Role.SUPERVISOR in _roles_at(user, stage_authorities(stage))


def may_note(user, application) -> bool:
    """Officers who may see the application, and are not its proponent, read and write internal notes."""
    if application.organisation_id in organisation_ids_of(user) or not seats_of(user):
        return False
    return can_view(user, application)


# --- the ledger and reports ---------------------------------------------------------------------
# The registry operator is the authority holding `ca_approval` (it commits the Party to the
# corresponding adjustment, so it records what is issued and first transferred). A Party without
# duty assignments (an acquiring Party) is operated by its national authority.


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


def operates_registry_for_application(user, application) -> bool:
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


@rules.predicate
def approves_report(user, report) -> bool:
    return approves_reports_of(user, report.party_id)


@rules.predicate
def prepares_report(user, report) -> bool:
    return prepares_reports_of(user, report.party_id)


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


def holds_itmos_of(user, application) -> bool:
    """Approver of the registry operator of a Party whose accounts hold, or held, ITMOs of the application."""
    parties = application.itmo_blocks.filter(account__party__isnull=False).values_list("account__party_id", flat=True).distinct()
    return any(operates_registry_of(user, party) for party in parties)


def submits_monitoring_for(user, application) -> bool:
    """The activity's proponent reports what it achieved; the verifier and the registry operator check it."""
    return bool(getattr(user, "is_authenticated", False)) and is_proponent(user, application)


def records_verification_for(user, application) -> bool:
    """Approvers of the CA approval holder record the accredited verifier's result (they also issue)."""
    return operates_registry_for_application(user, application)

