"""What the workflow and the deadline sweep do, as notifications to the people who must act or know."""
from __future__ import annotations

from apps.authorizations.escalation import stage_escalated, stage_reminder_due
from apps.authorizations.workflow import APPLICATION
from apps.governance.models import EscalationLevel, Role
from apps.workflow.engine import Fired

from .services import STAFF_ROLES, escalation_subject, notify, recipients_query, reminder_subject, transition_body, transition_subject


def notify_transition(fired: Fired) -> None:
    """The staff of the stage just opened (if any) and the proponent's members, in the transition's transaction."""
    application, stage = fired.instance, fired.context.opened
    authority_roles = [(stage.authority_id, STAFF_ROLES)] if stage is not None else []
    authority_roles += [(other.authority_id, STAFF_ROLES) for other in fired.context.also_opened]
    # The acquiring Parties' authorities hear of every step of an application naming them.
    acquiring = (application.pk, STAFF_ROLES) if fired.source != "draft" else None
    notify(
        event=fired.transition.name, event_key=f"audit:{fired.event.seq}", application=application,
        recipient_ids=recipients_query(authority_roles=authority_roles, organisation_id=application.organisation_id,
                                       acquiring_staff_of=acquiring),
        subject=transition_subject(application, fired.transition.name, authority=fired.context.decided_by),
        body=transition_body(application, comment=fired.comment, stage=stage),
    )


def notify_escalation(sender, *, stage, level, event, **kwargs) -> None:
    """Overdue: the holder's supervisors first; past the grace period, the next tier up's approvers and supervisors."""
    application = stage.application
    if level == EscalationLevel.SUPERVISORS:
        authority_roles = [(stage.authority_id, (Role.SUPERVISOR,))]
    else:
        authority_roles = [(stage.escalation_authority_id, (Role.APPROVER, Role.SUPERVISOR))]
    notify(
        event=f"escalated_level_{level}", event_key=f"audit:{event.seq}", application=application,
        recipient_ids=recipients_query(authority_roles=authority_roles),
        subject=escalation_subject(application, stage, level),
        body=transition_body(application, stage=stage),
    )


def notify_reminder(sender, *, stage, **kwargs) -> None:
    application = stage.application
    notify(
        event="stage_reminder", event_key=f"stage:{stage.pk}:reminder", application=application,
        recipient_ids=recipients_query(authority_roles=[(stage.authority_id, STAFF_ROLES)]),
        subject=reminder_subject(application, stage),
        body=transition_body(application, stage=stage),
    )


def connect() -> None:
    APPLICATION.on_transition(notify_transition)
    stage_escalated.connect(notify_escalation, dispatch_uid="notifications.escalation")
    stage_reminder_due.connect(notify_reminder, dispatch_uid="notifications.reminder")
