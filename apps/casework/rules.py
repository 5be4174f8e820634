"""Who may hold, hand on and annotate a case: the staff of the authority whose stage it is."""
from __future__ import annotations

from apps.authorizations.models import Application, Stage
from apps.authorizations.permissions import can_view, organisation_ids_of, seats_of
from apps.governance.models import Role

STAFF = {Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR}
ASSIGNERS = {Role.APPROVER, Role.SUPERVISOR}


def stage_authorities(stage: Stage) -> set[int]:
    """The stage's authority, and the next tier up once the stage is escalated to it (level 2)."""
    ids = {stage.authority_id}
    if stage.escalation_level >= 2 and stage.escalation_authority_id:
        ids.add(stage.escalation_authority_id)
    return ids


def _roles_at(user, authority_ids: set[int]) -> set[str]:
    return {seat.role for seat in seats_of(user) if seat.authority_id in authority_ids}


def may_hold(user, stage: Stage) -> bool:
    """Staff of the stage's authority (or of the next tier up, once escalated to it) may have the case."""
    return bool(_roles_at(user, stage_authorities(stage)) & STAFF)


def may_assign(user, stage: Stage) -> bool:
    """Approvers and supervisors hand a case to a colleague or take it back (supervisors on escalated work too)."""
    return bool(_roles_at(user, stage_authorities(stage)) & ASSIGNERS)


def may_note(user, application: Application) -> bool:
    """Officers who may see the application, and are not its proponent, read and write internal notes."""
    if application.organisation_id in organisation_ids_of(user) or not seats_of(user):
        return False
    return can_view(user, application)
