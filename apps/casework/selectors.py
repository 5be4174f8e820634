"""What the application page shows of the case: who has it, who could, and the officers' notes."""
from __future__ import annotations

from django.contrib.auth import get_user_model

from apps.authorizations.models import Stage
from apps.governance.models import Membership
from apps.permissions import CASE_STAFF as STAFF
from apps.permissions import may_assign, may_hold, may_note, may_nudge, stage_authorities

from .models import CaseAssignment, InternalNote


def case_panel(user, application, stage: Stage | None) -> dict:
    """Empty for the proponent (they see none of it)."""
    panel = {"notes": [], "may_note": may_note(user, application)}
    if panel["may_note"]:
        panel["notes"] = list(InternalNote.objects.filter(application=application).select_related("author"))
    if stage is None or not panel["may_note"]:
        return panel
    assignment = CaseAssignment.objects.filter(stage=stage).select_related("assignee").first()
    panel.update(stage=stage, assignment=assignment, may_claim=may_hold(user, stage) and (
        assignment is None or assignment.assignee_id != user.pk), may_assign=may_assign(user, stage),
        may_release=assignment is not None and (assignment.assignee_id == user.pk or may_assign(user, stage)),
        may_nudge=may_nudge(user, stage))
    if panel["may_assign"]:
        ids = Membership.objects.filter(authority_id__in=stage_authorities(stage), role__in=STAFF).values("user_id")
        panel["colleagues"] = list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username"))
    return panel


def my_cases(user) -> list[CaseAssignment]:
    """The open stages the user has in hand, oldest due first."""
    return list(CaseAssignment.objects.filter(assignee=user, stage__closed_at__isnull=True)
                .select_related("stage__application__jurisdiction", "stage__authority__jurisdiction__party").order_by("stage__due_at"))
