"""With a real worker on the real Redis: delivered to the right people, once, even with the broker or a worker down."""
from __future__ import annotations

import email
import os
import signal
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.authorizations.services import submit_application
from apps.notifications.models import Notification
from apps.notifications.services import republish_pending

from ..factories import make_application
from .broker import broker_unreachable
from .worker import Worker, purge_queue, wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"), reason="needs CELERY_BROKER_URL=redis://... (make test)"),
]

STAFF_AND_PROPONENT = ["proponent", "sabah.approver", "sabah.reviewer"]


@pytest.fixture
def email_dir(tmp_path):
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def workers(seeded_transactional_db, tmp_path, email_dir):
    purge_queue()
    started: list[Worker] = []

    def start(**kwargs) -> Worker:
        worker = Worker(tmp_path, email_dir=email_dir, name=f"worker{len(started)}", **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def sent_emails(email_dir) -> list[email.message.Message]:
    messages = []
    for path in sorted(email_dir.iterdir()):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip()))
    return messages


def draft():
    proponent = get_user_model().objects.get(username="proponent")
    return proponent, make_application(proponent)


def submission_rows(application):
    return Notification.objects.filter(application=application, event="submit")


def all_delivered(application) -> bool:
    return not submission_rows(application).exclude(status="delivered").exists()


def test_a_submission_reaches_the_inboxes_and_mailboxes_of_the_right_people_within_seconds(workers, email_dir):
    workers()
    proponent, application = draft()
    submit_application(application, acting_user=proponent)
    wait_until(lambda: all_delivered(application), timeout=30, message="every submission notification delivered")
    rows = submission_rows(application)
    assert sorted(rows.filter(channel="in_app").values_list("recipient__username", flat=True)) == STAFF_AND_PROPONENT
    recipients = sorted(m["To"].split("@")[0] for m in sent_emails(email_dir))
    assert recipients == STAFF_AND_PROPONENT
    latencies = [(r.delivered_at - r.created_at).total_seconds() for r in rows]
    print(f"\ncommit-to-delivery latency with a real worker: max {max(latencies):.3f} s over {len(latencies)} rows")


def test_a_submission_while_the_broker_is_down_commits_and_is_delivered_once_when_it_returns(workers, email_dir):
    proponent, application = draft()
    with broker_unreachable():
        submit_application(application, acting_user=proponent)
    application.refresh_from_db()
    assert application.state == "loa_review"
    assert set(submission_rows(application).values_list("status", flat=True)) == {"pending"}
    workers()
    # The broker is back; the sweep (beat runs it every minute) publishes what is still pending.
    assert republish_pending(now=timezone.now() + timedelta(seconds=61)) == 6
    wait_until(lambda: all_delivered(application), timeout=30, message="the swept notifications delivered")
    assert republish_pending(now=timezone.now() + timedelta(seconds=61)) == 0
    assert sorted(m["To"].split("@")[0] for m in sent_emails(email_dir)) == STAFF_AND_PROPONENT
    assert set(submission_rows(application).values_list("attempts", flat=True)) == {1}


def test_a_worker_killed_in_the_middle_of_a_delivery_delivers_once_not_zero_and_not_twice(workers, email_dir, tmp_path, settings):
    block = tmp_path / "block-email"
    block.write_text("hold the first email until the worker has been killed")
    worker = workers(
        email_backend="tests.notifications.backends.BlockingFileBackend",
        extra_env={"TIERFLOW_TEST_BLOCK_EMAIL": str(block), "NOTIFICATION_CLAIM_TIMEOUT_SECONDS": "2"},
    )
    proponent, application = draft()
    submit_application(application, acting_user=proponent)
    sending = submission_rows(application).filter(channel="email", status="sending")
    wait_until(sending.exists, timeout=30, message="the worker to claim an email")
    victim = sending.get()
    children = worker.pool_children()
    assert len(children) == 1
    os.kill(children[0], signal.SIGKILL)  # the process sending the email dies mid-delivery
    worker.wait_for("WorkerLostError", timeout=30)
    block.unlink()
    # The message is requeued (acks_late + reject_on_worker_lost); the row's claim goes stale and is taken over.
    wait_until(lambda: all_delivered(application), timeout=60, message="every notification delivered after the kill")
    assert sorted(m["To"].split("@")[0] for m in sent_emails(email_dir)) == STAFF_AND_PROPONENT
    victim.refresh_from_db()
    assert victim.attempts == 2


def _worker_connections() -> list[int]:
    """Backends on the test database other than this test's own: the worker's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return [row[0] for row in cursor.fetchall()]


def test_a_worker_keeps_its_database_connection_between_tasks_and_reconnects_when_it_is_cut(workers):
    workers(extra_env={"CONN_MAX_AGE": "600"})
    proponent, first = draft()
    submit_application(first, acting_user=proponent)
    wait_until(lambda: all_delivered(first), timeout=30, message="the first submission delivered")
    kept = _worker_connections()
    assert kept, "the worker's connection stays open after its task (it is reused, not reopened per task)"
    from django.db import connection

    with connection.cursor() as cursor:  # PostgreSQL restarts, a proxy drops idle connections: the worker must cope
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    _, second = draft()
    submit_application(second, acting_user=proponent)
    wait_until(lambda: all_delivered(second), timeout=30, message="the second submission delivered after the cut")
    assert set(_worker_connections()).isdisjoint(kept)
