"""Reminders before the due time, once; escalation level 1 then 2, once each even with two sweeps at once."""
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from apps.audit.models import AuditEvent
from apps.authorizations.escalation import escalate_overdue_stages
from apps.authorizations.models import Stage
from apps.notifications.models import Notification

from ..factories import make_application


def open_stage(application) -> Stage:
    return Stage.objects.get(application=application, closed_at__isnull=True)


def in_app(event, application) -> list[str]:
    return sorted(Notification.objects.filter(event=event, application=application, channel="in_app").values_list("recipient__username", flat=True))


@pytest.mark.django_db
def test_the_holders_staff_are_reminded_once_before_the_due_time(proponent):
    application = make_application(proponent, state="loa_review")
    stage = open_stage(application)
    assert stage.opened_at < stage.remind_at < stage.due_at and stage.next_check_at == stage.remind_at
    assert escalate_overdue_stages(now=stage.remind_at - timedelta(minutes=1)).reminded == 0
    assert escalate_overdue_stages(now=stage.remind_at).reminded == 1
    assert escalate_overdue_stages(now=stage.remind_at + timedelta(hours=1)).reminded == 0
    assert in_app("stage_reminder", application) == ["sabah.approver", "sabah.reviewer"]
    assert Notification.objects.filter(event="stage_reminder", application=application, channel="email").count() == 2
    stage.refresh_from_db()
    assert stage.reminded_at is not None and stage.next_check_at == stage.due_at and stage.escalation_level == 0


@pytest.mark.django_db
def test_a_sweep_after_the_due_time_escalates_without_a_late_reminder(proponent):
    application = make_application(proponent, state="loa_review")
    stage = open_stage(application)
    result = escalate_overdue_stages(now=stage.due_at + timedelta(minutes=1))
    assert (result.reminded, result.escalated_to_supervisors) == (0, 1)
    assert in_app("stage_reminder", application) == []
    assert in_app("escalated_level_1", application) == ["sabah.supervisor"]


@pytest.mark.django_db
def test_level_one_tells_the_holders_supervisors_and_level_two_the_tier_above(proponent):
    application = make_application(proponent, state="loa_review")
    stage = open_stage(application)
    escalate_overdue_stages(now=stage.due_at)
    assert in_app("escalated_level_1", application) == ["sabah.supervisor"]
    assert in_app("escalated_level_2", application) == []
    escalate_overdue_stages(now=stage.escalate_at)
    assert in_app("escalated_level_2", application) == ["federal.approver", "federal.supervisor"]


def _sweep_concurrently(now, sweepers=2) -> list:
    barrier = threading.Barrier(sweepers)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(escalate_overdue_stages(now=now, batch_size=5))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(sweepers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_two_sweeps_at_once_escalate_each_stage_once_per_level(seeded_transactional_db):
    proponent = get_user_model().objects.get(username="proponent")
    applications = [make_application(proponent, state="loa_review") for _ in range(12)]
    stages = [open_stage(a) for a in applications]
    due = max(s.due_at for s in stages) + timedelta(minutes=1)
    level_one = _sweep_concurrently(due)
    assert sum(r.escalated_to_supervisors for r in level_one) == 12
    escalate = max(s.escalate_at for s in stages) + timedelta(minutes=1)
    level_two = _sweep_concurrently(escalate)
    assert sum(r.escalated_to_next_tier for r in level_two) == 12
    for application in applications:
        levels = sorted(AuditEvent.objects.filter(event="stage.escalated", subject_id=application.reference).values_list("data__level", flat=True))
        assert levels == [1, 2]
        assert in_app("escalated_level_1", application) == ["sabah.supervisor"]
        assert in_app("escalated_level_2", application) == ["federal.approver", "federal.supervisor"]
