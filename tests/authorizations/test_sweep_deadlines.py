"""`sweep_deadlines`: level 1 at the due time, level 2 after the grace period, once each."""
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.audit.models import AuditEvent
from apps.authorizations.models import Stage
from apps.notifications.models import Notification

from ..factories import make_application

pytestmark = pytest.mark.django_db


def sweep(at) -> str:
    out = StringIO()
    call_command("sweep_deadlines", "--now", at.isoformat(), stdout=out)
    return out.getvalue()


def test_nothing_escalates_before_the_due_time(proponent):
    application = make_application(proponent, state="loa_review")
    stage = Stage.objects.get(application=application, closed_at__isnull=True)
    assert "Escalated 0 stage(s)" in sweep(stage.due_at - timedelta(minutes=1))
    stage.refresh_from_db()
    assert stage.escalation_level == 0


def test_sweeping_twice_at_the_same_moment_escalates_once(proponent, sabah_supervisor):
    application = make_application(proponent, state="loa_review")
    stage = Stage.objects.get(application=application, closed_at__isnull=True)
    moment = stage.due_at + timedelta(hours=1)
    assert "Escalated 1 stage(s) to supervisors" in sweep(moment)
    assert "Escalated 0 stage(s) to supervisors and 0" in sweep(moment)
    stage.refresh_from_db()
    assert stage.escalation_level == 1
    assert AuditEvent.objects.filter(event="stage.escalated", subject_id=application.reference).count() == 1
    assert Notification.objects.filter(recipient=sabah_supervisor, event="escalated_level_1", channel="in_app").count() == 1


def test_after_the_grace_period_the_federal_ministry_is_called_in_once(proponent, federal_approver, federal_supervisor):
    application = make_application(proponent, state="loa_review")
    stage = Stage.objects.get(application=application, closed_at__isnull=True)
    sweep(stage.due_at)
    sweep(stage.escalate_at + timedelta(minutes=5))
    sweep(stage.escalate_at + timedelta(minutes=5))
    stage.refresh_from_db()
    assert stage.escalation_level == 2 and stage.next_check_at is None
    levels = list(AuditEvent.objects.filter(event="stage.escalated", subject_id=application.reference).values_list("data__level", flat=True))
    assert levels == [1, 2]
    for persona in (federal_approver, federal_supervisor):
        assert Notification.objects.filter(recipient=persona, event="escalated_level_2", application=application, channel="in_app").count() == 1


def test_a_sweep_long_after_the_deadline_records_both_levels_in_order(proponent):
    application = make_application(proponent, state="loa_review")
    stage = Stage.objects.get(application=application, closed_at__isnull=True)
    sweep(stage.escalate_at + timedelta(days=30))
    levels = list(AuditEvent.objects.filter(event="stage.escalated", subject_id=application.reference).order_by("seq").values_list("data__level", flat=True))
    assert levels == [1, 2]


def test_after_escalation_the_federal_approver_may_issue_the_state_letter(api, proponent, federal_approver):
    application = make_application(proponent, state="loa_review")
    stage = Stage.objects.get(application=application, closed_at__isnull=True)
    url = f"/api/v1/applications/{application.reference}/transitions/"
    refused = api(federal_approver).post(url, {"transition": "issue_loa", "authorized_quantity": 10}, format="json")
    assert refused.status_code == 403
    sweep(stage.escalate_at + timedelta(minutes=1))
    accepted = api(federal_approver).post(url, {"transition": "issue_loa", "authorized_quantity": 10}, format="json")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["loa"]["issuing_authority"].startswith("Ministry of Natural Resources")


def test_a_closed_stage_never_escalates(api, proponent, sabah_approver):
    application = make_application(proponent, state="loa_review")
    stage = Stage.objects.get(application=application, closed_at__isnull=True)
    api(sabah_approver).post(f"/api/v1/applications/{application.reference}/transitions/", {"transition": "request_changes", "comment": "Map missing."}, format="json")
    sweep(stage.escalate_at + timedelta(days=1))
    stage.refresh_from_db()
    assert stage.escalation_level == 0


def test_a_malformed_now_is_refused_with_a_clear_message(db):
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("sweep_deadlines", "--now", "next tuesday")
