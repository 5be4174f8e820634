"""The publish path: one broker message per transaction, sent off the request path; in-app rows delivered in one statement."""
from __future__ import annotations

import base64
import json
import os
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.authorizations.services import issue_loa, submit_application
from apps.notifications import publisher, services
from apps.notifications.models import Notification
from config.celery import app

from ..factories import make_application
from .broker import _use_broker
from .worker import purge_queue

needs_redis = pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"),
                                 reason="needs CELERY_BROKER_URL=redis://... (make test)")
# A loopback port nobody listens on: the broker is down (traffic never leaves this machine).
DEAD_BROKER_URL = "redis://127.0.0.1:1/0"


def queued_messages() -> list[dict]:
    import redis

    store = redis.Redis.from_url(app.conf.broker_url)
    return [json.loads(raw) for raw in store.lrange(app.conf.task_default_queue, 0, -1)]


def users(*names):
    return [get_user_model().objects.get(username=name) for name in names]


@needs_redis
def test_a_transition_publishes_one_message_carrying_every_row_it_wrote(seeded_transactional_db):
    purge_queue()
    (proponent,) = users("proponent")
    application = make_application(proponent)
    submit_application(application, acting_user=proponent)
    assert publisher.flush(10)
    written = sorted(Notification.objects.filter(application=application, event="submit").values_list("pk", flat=True))
    messages = queued_messages()
    assert len(written) == 6
    assert [m["headers"]["task"] for m in messages] == ["notifications.deliver_batch"]
    assert sorted(json.loads(base64.b64decode(messages[0]["body"]))[0][0]) == written
    purge_queue()


@needs_redis
def test_with_the_broker_unreachable_a_transition_costs_what_it_costs_with_it_up(seeded_transactional_db, api):
    proponent, approver = users("proponent", "sabah.approver")
    warm = make_application(proponent)
    submit_application(warm, acting_user=proponent)  # imports, connections and the chain head exist
    publisher.flush(10)

    def timed_chain() -> float:
        application = make_application(proponent)
        start = time.perf_counter()
        submit_application(application, acting_user=proponent)
        issue_loa(application, acting_user=approver, authorized_quantity=1000)
        return time.perf_counter() - start

    up = min(timed_chain() for _ in range(3))
    original = app.conf.broker_url
    _use_broker(DEAD_BROKER_URL)
    try:
        # The fastest of three on each side: a cost the broker adds is in every run, a stall of the loaded machine not.
        down = min(timed_chain() for _ in range(3))
        health = api(None).get("/api/v1/health/")
    finally:
        _use_broker(original)
    assert down < up * 3 + 0.2, f"with the broker down a transition took {down:.3f} s against {up:.3f} s with it up"
    assert health.status_code == 503
    assert health.json()["broker"].startswith("unavailable")
    # Nothing is lost: the rows of the transitions made while the broker was down wait for the sweep.
    assert Notification.objects.filter(status="pending").exists()
    purge_queue()


@pytest.mark.django_db
def test_a_batch_delivers_all_its_in_app_rows_in_one_statement_and_each_email_once(proponent, mailoutbox):
    make_application(proponent, state="loa_review")
    ids = list(Notification.objects.filter(event="submit").values_list("pk", flat=True))
    in_app = [pk for pk in ids if Notification.objects.get(pk=pk).channel == "in_app"]
    with CaptureQueriesContext(connection) as queries:
        outcome = services.deliver_batch(in_app)
    assert outcome["delivered"] == 3 and len(queries.captured_queries) == 1
    assert services.deliver_batch(ids)["delivered"] == 3  # the three emails; the in-app rows are done already
    assert services.deliver_batch(ids)["delivered"] == 0
    assert len(mailoutbox) == 3
    assert set(Notification.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"delivered"}


@pytest.mark.django_db
def test_every_notify_of_one_transaction_joins_one_batch(proponent, sabah_approver,
                                                         django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            services.notify(event="a", event_key="a", recipient_ids=[proponent.pk], subject="A")
            services.notify(event="b", event_key="b", recipient_ids=[sabah_approver.pk], subject="B")
    batches = [c for c in callbacks if isinstance(c, services._CommitBatch)]
    assert len(batches) == 1 and len(batches[0]) == 4
