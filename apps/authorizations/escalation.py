"""The deadline sweep: remind before the due time, escalate overdue stages, once each, however many sweepers run."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.audit.services import record_event
from apps.governance.models import Role
from apps.notifications.messages import escalation_subject, reminder_subject
from apps.notifications.services import STAFF_ROLES, notify, recipients_query, transition_body

from .models import Stage

SWEEP_BATCH = 200


@dataclass
class SweepResult:
    reminded: int = 0
    escalated_to_supervisors: int = 0
    escalated_to_next_tier: int = 0
    stages: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.escalated_to_supervisors + self.escalated_to_next_tier


def _escalate(stage: Stage, level: int, now: datetime) -> None:
    application = stage.application
    if level == 1:
        authority_roles = [(stage.authority_id, (Role.SUPERVISOR,))]
        target = stage.authority_id
    else:
        authority_roles = [(stage.escalation_authority_id, (Role.APPROVER, Role.SUPERVISOR))]
        target = stage.escalation_authority_id
    event = record_event(
        event="stage.escalated", subject_type="application", subject_id=application.reference,
        party=application.host_party_id, at=now,
        data={"stage": stage.pk, "duty": stage.duty, "level": level, "authority": target, "due_at": stage.due_at.isoformat()},
    )
    notify(
        event=f"escalated_level_{level}", event_key=f"audit:{event.seq}", application=application,
        recipient_ids=recipients_query(authority_roles=authority_roles),
        subject=escalation_subject(application, stage, level),
        body=transition_body(application, stage=stage),
    )


def _remind(stage: Stage) -> None:
    application = stage.application
    notify(
        event="stage_reminder", event_key=f"stage:{stage.pk}:reminder", application=application,
        recipient_ids=recipients_query(authority_roles=[(stage.authority_id, STAFF_ROLES)]),
        subject=reminder_subject(application, stage),
        body=transition_body(application, stage=stage),
    )


def _advance(stage: Stage, now: datetime, result: SweepResult) -> None:
    if stage.remind_at and stage.reminded_at is None and stage.remind_at <= now < stage.due_at:
        stage.reminded_at = now
        _remind(stage)
        result.reminded += 1
    if stage.escalation_level == 0 and now >= stage.due_at:
        stage.escalation_level = 1
        _escalate(stage, 1, now)
        result.escalated_to_supervisors += 1
    if stage.escalation_level == 1 and stage.escalation_authority_id and now >= stage.escalate_at:
        stage.escalation_level = 2
        _escalate(stage, 2, now)
        result.escalated_to_next_tier += 1
    if stage.escalation_level == 0:
        reminder_ahead = stage.remind_at and stage.reminded_at is None and now < stage.remind_at
        stage.next_check_at = stage.remind_at if reminder_ahead else stage.due_at
    elif stage.escalation_level == 1 and stage.escalation_authority_id:
        stage.next_check_at = stage.escalate_at
    else:
        stage.next_check_at = None
    result.stages.append(stage.pk)


def escalate_overdue_stages(*, now: datetime | None = None, batch_size: int = SWEEP_BATCH) -> SweepResult:
    """Escalate every open stage whose next check time has come, in batches.

    Rows are claimed with SKIP LOCKED, so concurrent sweepers share the work and
    never escalate one stage twice; each batch is its own transaction.
    """
    now = now or timezone.now()
    result = SweepResult()
    while True:
        with transaction.atomic():
            batch = list(
                Stage.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("application", "authority__jurisdiction__party")
                .filter(closed_at__isnull=True, next_check_at__isnull=False, next_check_at__lte=now)
                .order_by("next_check_at")[:batch_size]
            )
            for stage in batch:
                _advance(stage, now, result)
            if batch:  # one UPDATE for the whole batch
                Stage.objects.bulk_update(batch, ["escalation_level", "next_check_at", "reminded_at"])
        if len(batch) < batch_size:
            return result
