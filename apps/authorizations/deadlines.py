"""When a stage is due and when it escalates, from the duty assignment's policy."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from apps.governance.models import DutyAssignment, Jurisdiction


@dataclass(frozen=True)
class StageDeadlines:
    due_at: datetime
    escalate_at: datetime


def deadlines_for(assignment: DutyAssignment, holder_jurisdiction: Jurisdiction, opened_at: datetime) -> StageDeadlines:
    """Due after the SLA, escalated to the next tier up after a further grace period."""
    due_at = opened_at + timedelta(days=assignment.sla_days)
    return StageDeadlines(due_at=due_at, escalate_at=due_at + timedelta(days=assignment.escalation_grace_days))
