"""The inbox over the API: list, unread count, mark read; nobody touches another person's notifications."""
import pytest
from django.core.management import CommandError, call_command

from apps.notifications.models import Notification

from ..factories import make_application
from .broker import broker_unreachable

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(proponent, deliver_outbox):
    application = make_application(proponent, state="loa_review")
    deliver_outbox()
    return application


def test_the_inbox_shows_the_callers_delivered_notifications_and_counts_the_unread(api, submitted, sabah_approver, sarawak_approver):
    inbox = api(sabah_approver).get("/api/v1/notifications/").json()
    assert [(n["event"], n["application"], n["read"]) for n in inbox["results"]] == [("submit", submitted.reference, False)]
    assert api(sabah_approver).get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    assert api(sarawak_approver).get("/api/v1/notifications/unread-count/").json() == {"unread": 0}


def test_marking_one_read_lowers_the_count(api, submitted, sabah_approver):
    row = api(sabah_approver).get("/api/v1/notifications/").json()["results"][0]
    response = api(sabah_approver).post(f"/api/v1/notifications/{row['id']}/read/")
    assert response.status_code == 200 and response.json() == {"marked": 1, "unread": 0}
    assert api(sabah_approver).get("/api/v1/notifications/").json()["results"][0]["read"] is True
    assert api(sabah_approver).post(f"/api/v1/notifications/{row['id']}/read/").json() == {"marked": 0, "unread": 0}


def test_nobody_can_mark_another_persons_notification(api, submitted, sabah_approver, sabah_reviewer):
    theirs = Notification.objects.get(recipient=sabah_reviewer, channel="in_app", event="submit")
    response = api(sabah_approver).post(f"/api/v1/notifications/{theirs.pk}/read/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api(sabah_reviewer).get("/api/v1/notifications/unread-count/").json() == {"unread": 1}


def test_read_all_marks_only_the_callers(api, submitted, proponent, sabah_reviewer):
    assert api(proponent).post("/api/v1/notifications/read-all/").json() == {"marked": 1, "unread": 0}
    assert api(proponent).get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    assert api(sabah_reviewer).get("/api/v1/notifications/unread-count/").json() == {"unread": 1}


def test_the_inbox_needs_a_login(api):
    assert api(None).get("/api/v1/notifications/unread-count/").status_code == 401
    assert api(None).post("/api/v1/notifications/read-all/").status_code == 401


def test_the_schema_documents_the_notification_endpoints(api, admin_user):
    schema = api(admin_user).get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/v1/notifications/", "/api/v1/notifications/unread-count/", "/api/v1/notifications/{id}/read/",
                 "/api/v1/notifications/read-all/", "/api/v1/health/"):
        assert path in schema["paths"], path


def test_health_reports_database_broker_and_the_oldest_pending_notification(api, proponent):
    make_application(proponent, state="loa_review")
    body = api(None).get("/api/v1/health/").json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["broker"] == "ok"
    assert body["oldest_pending_notification_seconds"] >= 0


def test_health_says_503_when_the_broker_is_unreachable(api):
    with broker_unreachable():
        response = api(None).get("/api/v1/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "ok" and response.json()["broker"].startswith("unavailable")


def test_stuck_notifications_are_listed_for_operators(proponent, capsys):
    application = make_application(proponent, state="loa_review")
    with pytest.raises(SystemExit) as exit_status:
        call_command("list_stuck_notifications", "--older-than", "0")
    output = capsys.readouterr().out
    assert exit_status.value.code == 1
    assert "6 notification(s) stuck" in output and application.reference in output and "sabah.approver" in output
    call_command("list_stuck_notifications", "--older-than", "60")
    assert "0 notification(s) stuck for over 60 minute(s)" in capsys.readouterr().out


def test_list_stuck_notifications_refuses_a_bad_age(db):
    with pytest.raises(CommandError, match="number of minutes"):
        call_command("list_stuck_notifications", "--older-than", "ten")
