"""Celery tasks of the workflow: the deadline sweep that beat runs every minute."""
from __future__ import annotations

from celery import shared_task

from .escalation import escalate_overdue_stages


@shared_task(name="authorizations.sweep_deadlines", acks_late=True)
def sweep_deadlines() -> dict:
    """Send due reminders and escalate overdue stages (the same service as `manage.py sweep_deadlines`)."""
    result = escalate_overdue_stages()
    return {"reminded": result.reminded, "level_1": result.escalated_to_supervisors, "level_2": result.escalated_to_next_tier}
