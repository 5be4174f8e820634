"""The outbox: who gets which rows, in one statement, written once; delivered once; retried with backoff."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.notifications import services
from apps.notifications.models import Notification
from apps.notifications.tasks import MAX_RETRIES, deliver, retry_countdown

from ..factories import make_application
from .backends import FlakyBackend

pytestmark = pytest.mark.django_db


def rows(application, event):
    return set(Notification.objects.filter(application=application, event=event).values_list("recipient__username", "channel"))


def test_a_submission_writes_in_app_and_email_rows_for_the_holder_staff_and_the_proponent(proponent):
    application = make_application(proponent, state="loa_review")
    people = {"sabah.reviewer", "sabah.approver", "proponent"}
    assert rows(application, "submit") == {(p, c) for p in people for c in ("in_app", "email")}
    assert set(Notification.objects.filter(application=application, event="submit").values_list("status", flat=True)) == {"pending"}


def test_the_acquiring_partys_officers_hear_of_every_decision_but_not_of_the_submission(proponent):
    application = make_application(proponent, state="ca_review")  # names Korea as the acquiring Party
    told = lambda event: {name for name, channel in rows(application, event) if channel == "in_app"}  # noqa: E731
    assert "korea.approver" not in told("submit")  # a submission is the host's business until it decides
    assert "korea.approver" in told("issue_loa")
    assert "japan.approver" not in told("issue_loa")  # another acquiring Party's officer hears nothing of it
    assert {"federal.approver", "proponent"} <= told("issue_loa")


def test_the_rows_for_every_recipient_and_channel_are_one_insert(proponent):
    application = make_application(proponent)
    from apps.authorizations.services import submit_application

    with CaptureQueriesContext(connection) as queries:
        submit_application(application, acting_user=proponent)
    inserts = [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"] and q["sql"].lstrip().startswith("INSERT")]
    assert len(inserts) == 1
    assert Notification.objects.filter(application=application, event="submit").count() == 6


def test_the_same_event_written_twice_adds_nothing(proponent, sabah_approver):
    first = services.notify(event="test", event_key="k1", recipient_ids=[sabah_approver.pk, proponent.pk], subject="Hello")
    second = services.notify(event="test", event_key="k1", recipient_ids=[sabah_approver.pk, proponent.pk], subject="Hello")
    assert len(first) == 4 and second == []
    assert Notification.objects.filter(event="test").count() == 4


def test_people_without_an_email_address_get_only_the_in_app_row_and_inactive_people_nothing(proponent, sabah_approver):
    sabah_approver.email = ""
    sabah_approver.save()
    proponent.is_active = False
    proponent.save()
    services.notify(event="test", event_key="k2", recipient_ids=[sabah_approver.pk, proponent.pk], subject="Hello")
    assert set(Notification.objects.filter(event="test").values_list("recipient__username", "channel")) == {("sabah.approver", "in_app")}


def test_delivering_the_same_row_twice_sends_one_email(proponent, mailoutbox):
    make_application(proponent, state="loa_review")
    row = Notification.objects.get(recipient__username="sabah.approver", channel="email", event="submit")
    assert services.deliver_notification(row.pk) == "delivered"
    assert services.deliver_notification(row.pk) == "done"
    assert deliver.apply(args=[row.pk]).get() == "done"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["sabah.approver@demo.tierflow.test"]
    assert mailoutbox[0].subject == "Submitted: Ulu Segama forest restoration"
    assert row.application.reference in mailoutbox[0].body
    assert f"/applications/{row.application.reference}/" in mailoutbox[0].body
    assert "Due:" in mailoutbox[0].body and "Asia/Kuala_Lumpur" in mailoutbox[0].body
    row.refresh_from_db()
    assert row.status == "delivered" and row.attempts == 1 and row.delivered_at is not None


def test_a_fresh_claim_is_left_alone_and_a_stale_one_taken_over(proponent, mailoutbox, settings):
    make_application(proponent, state="loa_review")
    row = Notification.objects.get(recipient__username="sabah.approver", channel="email", event="submit")
    Notification.objects.filter(pk=row.pk).update(status="sending", claimed_at=timezone.now())
    assert services.deliver_notification(row.pk) == "busy"
    assert mailoutbox == []
    Notification.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT + 1))
    assert services.deliver_notification(row.pk) == "delivered"
    assert len(mailoutbox) == 1


def test_in_app_rows_reach_the_inbox_when_delivered(proponent, sabah_approver):
    make_application(proponent, state="loa_review")
    assert services.unread_count(sabah_approver) == 0
    row = Notification.objects.get(recipient=sabah_approver, channel="in_app", event="submit")
    services.deliver_notification(row.pk)
    assert list(services.inbox_for(sabah_approver)) == [row]
    assert services.unread_count(sabah_approver) == 1


@pytest.fixture
def flaky_email(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.backends.FlakyBackend"}}
    FlakyBackend.attempts = 0
    FlakyBackend.sent = []
    return FlakyBackend


def test_a_failing_email_server_is_retried_until_it_accepts_and_the_email_goes_once(proponent, flaky_email):
    make_application(proponent, state="loa_review")
    row = Notification.objects.get(recipient__username="sabah.approver", channel="email", event="submit")
    flaky_email.failures = 2
    assert deliver.apply(args=[row.pk]).get() == "delivered"
    row.refresh_from_db()
    assert row.status == "delivered" and row.attempts == 3 and row.last_error == ""
    assert [m.to for m in flaky_email.sent] == [["sabah.approver@demo.tierflow.test"]]


def test_a_failed_attempt_leaves_the_row_pending_until_after_its_backoff(proponent, flaky_email):
    make_application(proponent, state="loa_review")
    row = Notification.objects.get(recipient__username="sabah.approver", channel="email", event="submit")
    flaky_email.failures = 1
    before = timezone.now()
    with pytest.raises(services.DeliveryFailed):
        services.deliver_notification(row.pk, retry_in=timedelta(seconds=300))
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 1 and "refused" in row.last_error
    assert row.available_at >= before + timedelta(seconds=300)
    assert not services.undelivered(now=before + timedelta(seconds=120)).filter(pk=row.pk).exists()
    assert services.undelivered(now=before + timedelta(seconds=361)).filter(pk=row.pk).exists()


def test_an_email_server_that_never_accepts_ends_in_failed_after_the_last_retry(proponent, flaky_email):
    make_application(proponent, state="loa_review")
    row = Notification.objects.get(recipient__username="sabah.approver", channel="email", event="submit")
    flaky_email.failures = 10**6
    result = deliver.apply(args=[row.pk])
    assert result.failed()
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == MAX_RETRIES + 1 and "ConnectionRefusedError" in row.last_error
    assert flaky_email.sent == []
    assert services.deliver_notification(row.pk) == "done"  # failed rows are not picked up again by accident


def test_retry_delays_grow_exponentially_with_full_jitter_and_a_cap():
    for retries in range(0, 12):
        samples = {retry_countdown(retries) for _ in range(200)}
        assert max(samples) <= min(10 * 2**retries, 600)
        assert len(samples) > 1  # jittered: workers failing together do not retry together
    assert max(retry_countdown(6) for _ in range(500)) > 10 * 2**3


def test_rows_pending_over_a_minute_are_republished_and_not_again_within_the_minute(proponent):
    make_application(proponent, state="loa_review")
    now = timezone.now()
    assert services.republish_pending(now=now) == 0  # just written: the after-commit publish is in charge
    assert services.republish_pending(now=now + timedelta(seconds=61)) == 6
    assert services.republish_pending(now=now + timedelta(seconds=90)) == 0
    assert services.republish_pending(now=now + timedelta(seconds=122)) == 6


def test_a_transition_costs_the_same_queries_for_3_and_for_23_recipients(proponent):
    from apps.authorizations.services import submit_application
    from apps.governance.models import Authority, Membership

    from ..factories import UserFactory

    def queries_for_a_submission() -> int:
        application = make_application(proponent)
        with CaptureQueriesContext(connection) as queries:
            submit_application(application, acting_user=proponent)
        return len(queries.captured_queries)

    queries_for_a_submission()  # warm the per-process caches (content types, calendars)
    few = queries_for_a_submission()
    sabah = Authority.objects.get(jurisdiction_id="MY-12")
    Membership.objects.bulk_create([Membership(user=UserFactory(), authority=sabah, role="reviewer") for _ in range(20)])
    many = queries_for_a_submission()
    assert many == few
    assert Notification.objects.filter(event="submit", channel="email").count() == 3 + 3 + 23  # two submissions to 3 people, then one to 23
