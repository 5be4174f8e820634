"""Claiming, assigning and releasing a case, and internal notes: each permission-checked and an audit event."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from apps.audit.events import Event
from apps.audit.services import record_event
from apps.authorizations.models import Application, Stage
from apps.notifications.services import STAFF_ROLES, PerLanguage, application_url, notify, recipients_for
from apps.permissions import may_assign, may_hold, may_note, may_nudge

from .models import CaseAssignment, InternalNote


def _open_stage_locked(application: Application) -> Stage:
    stage = (Stage.objects.select_for_update().select_related("authority")
             .filter(application=application, closed_at__isnull=True).first())
    if stage is None:
        raise ValidationError(_("No authority holds this application now: there is no case to assign."))
    return stage


def _record(application: Application, stage: Stage, name: str, acting_user, **data) -> None:
    record_event(event=Event(f"case.{name}"), subject_type="application", subject_id=application.reference,
                 acting_user=acting_user, party=application.host_party_id, data={"stage": stage.pk, "duty": stage.duty, **data})


@transaction.atomic(durable=True)
def claim_case(application: Application, *, acting_user) -> CaseAssignment:
    """The officer takes the open stage's case for themselves."""
    stage = _open_stage_locked(application)
    if not may_hold(acting_user, stage):
        raise PermissionDenied(_("Only staff of %(authority)s may take this case.") % {"authority": stage.authority.name})
    assignment, _created = CaseAssignment.objects.update_or_create(
        stage=stage, defaults={"assignee": acting_user, "assigned_by": acting_user, "assigned_at": timezone.now()})
    _record(application, stage, "claimed", acting_user, assignee=acting_user.username)
    return assignment


@transaction.atomic(durable=True)
def assign_case(application: Application, *, acting_user, assignee_id: int) -> CaseAssignment:
    """An approver or supervisor gives the case to a colleague at the stage's authority, who is told."""
    stage = _open_stage_locked(application)
    if not may_assign(acting_user, stage):
        raise PermissionDenied(_("Only approvers and supervisors of %(authority)s may assign this case.") % {
            "authority": stage.authority.name})
    assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
    if assignee is None or not may_hold(assignee, stage):
        raise ValidationError({"assignee": _("Choose a colleague at %(authority)s.") % {"authority": stage.authority.name}})
    previous = CaseAssignment.objects.filter(stage=stage).select_related("assignee").first()
    assignment, _created = CaseAssignment.objects.update_or_create(
        stage=stage, defaults={"assignee": assignee, "assigned_by": acting_user, "assigned_at": timezone.now()})
    _record(application, stage, "assigned", acting_user, assignee=assignee.username,
            previous=previous.assignee.username if previous else "")
    if assignee.pk != acting_user.pk:
        notify(event="case_assigned", event_key=f"case:{stage.pk}:{assignment.assigned_at.isoformat()}", application=application,
               recipient_ids=[assignee.pk],
               subject=(_("%(who)s gave you %(title)s") % {"who": acting_user.get_full_name() or acting_user.username,
                                                          "title": application.title})[:200],
               body=f"{application.reference} — {application.title}\n{application_url(application)}")
    return assignment


@transaction.atomic(durable=True)
def release_case(application: Application, *, acting_user) -> None:
    """The holder gives the case back (or an approver or supervisor takes it off them): nobody has it."""
    stage = _open_stage_locked(application)
    assignment = CaseAssignment.objects.filter(stage=stage).select_related("assignee").first()
    if assignment is None:
        return
    if assignment.assignee_id != acting_user.pk and not may_assign(acting_user, stage):
        raise PermissionDenied(_("Only the officer who has the case, an approver or a supervisor may release it."))
    assignment.delete()
    _record(application, stage, "released", acting_user, assignee=assignment.assignee.username)


@transaction.atomic(durable=True)
def add_internal_note(application: Application, *, acting_user, text: str) -> InternalNote:
    text = (text or "").strip()
    if not may_note(acting_user, application):
        raise PermissionDenied(_("Internal notes are for the officers of this application."))
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > 5000:
        raise ValidationError({"text": _("A note has at most 5,000 characters.")})
    note = InternalNote.objects.create(application=application, author=acting_user, text=text, created_at=timezone.now())
    record_event(event=Event.CASE_NOTED, subject_type="application", subject_id=application.reference, acting_user=acting_user,
                 party=application.host_party_id, data={"note": note.pk, "chars": len(text)})
    return note


NUDGE_MESSAGE_LIMIT = 500


@transaction.atomic(durable=True)
def nudge_case(application: Application, *, acting_user, message: str = "") -> list[int]:
    """A supervisor reminds the staff holding an overdue stage (its reviewers, approvers and whoever has the case)
    that it waits on them; returns the ids of the notifications written."""
    stage = _open_stage_locked(application)
    if not may_nudge(acting_user, stage):
        raise PermissionDenied(_("Only a supervisor may nudge the staff, and only once the stage is overdue."))
    message = (message or "").strip()
    if len(message) > NUDGE_MESSAGE_LIMIT:
        raise ValidationError({"message": _("A message has at most 500 characters.")})
    assignment = CaseAssignment.objects.filter(stage=stage).first()
    recipients = set(recipients_for(authority_roles=[(stage.authority_id, STAFF_ROLES)]))
    if assignment is not None:
        recipients.add(assignment.assignee_id)
    recipients.discard(acting_user.pk)
    if not recipients:
        raise ValidationError(_("%(authority)s has no staff to nudge: add reviewers or approvers in the admin.") % {
            "authority": stage.authority.name})
    who = acting_user.get_full_name() or acting_user.username
    now = timezone.now()

    def body() -> str:
        lines = [f"{application.reference} — {application.title}",
                 _("Due: %(due)s (%(time_zone)s)") % {"due": formats.date_format(stage.due_at_local, "DATETIME_FORMAT"),
                                                     "time_zone": stage.timezone_name}]
        if message:
            lines.append(f"{who}: {message}")
        return "\n".join([*lines, application_url(application)])

    written = notify(event="case_nudged", event_key=f"nudge:{stage.pk}:{acting_user.pk}:{now.isoformat()}", application=application,
                     recipient_ids=sorted(recipients),
                     subject=PerLanguage(lambda: _("%(who)s asks you to act on %(title)s: it is overdue") % {
                         "who": who, "title": application.title}),
                     body=PerLanguage(body))
    record_event(event=Event.CASE_NUDGED, subject_type="application", subject_id=application.reference, acting_user=acting_user,
                 party=application.host_party_id, data={"stage": stage.pk, "duty": stage.duty, "escalation_level": stage.escalation_level,
                                                        "recipients": len(recipients), "chars": len(message)})
    return written
