"""Signed webhooks: written with the event, delivered once, retried with backoff, never to private addresses."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from apps.authorizations import services
from apps.authorizations.models import Application
from apps.webhooks.models import Delivery, DeliveryStatus, Endpoint
from apps.webhooks.services import attempt_delivery, backoff, catch_up, create_endpoint, due_delivery_ids
from apps.webhooks.tasks import retry_due

from ..factories import OrganisationFactory, UserFactory, make_application

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP server that verifies each request's signature as the README tells developers to."""

    def __init__(self, fail_first: int = 0):
        self.fail_first = fail_first
        self.received: list[dict] = []
        self.accepted: list[dict] = []
        self.secret = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                header = self.headers["Tierflow-Signature"]
                fields = dict(part.split("=", 1) for part in header.split(","))
                expected = hmac.new(receiver.secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256).hexdigest()
                valid = hmac.compare_digest(expected, fields["v1"]) and abs(time.time() - int(fields["t"])) < 300
                event = {"valid": valid, "body": json.loads(body), "event_id": self.headers["Tierflow-Event-Id"]}
                receiver.received.append(event)
                status = 500 if len(receiver.received) <= receiver.fail_first else (200 if valid else 401)
                if status == 200:
                    receiver.accepted.append(event)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.DEBUG = True  # a local receiver: private addresses are allowed only in DEBUG
    made = []

    def start(fail_first: int = 0) -> Receiver:
        made.append(Receiver(fail_first))
        return made[-1]

    yield start
    for server in made:
        server.close()


def register(user, url: str, events=()) -> Endpoint:
    endpoint, secret = create_endpoint(acting_user=user, organisation=user.organisations.first(), url=url, events=list(events))
    return endpoint


def test_a_transition_writes_its_delivery_in_the_same_transaction(proponent, settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    endpoint = register(proponent, "http://127.0.0.1:9/hook")
    application = make_application(proponent)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit_application(application, acting_user=proponent)
        # Before the commit: the row is there, inside the transition's transaction.
        delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.event_type == "application.submit" and delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 0 and delivery.payload["data"]["reference"] == application.reference
    assert delivery.payload["data"]["to"] == "loa_review"
    assert callbacks, "the hand-over to Celery waits for the commit"


def test_a_transition_rolled_back_leaves_no_delivery_and_enqueues_nothing(proponent, settings,
                                                                           django_capture_on_commit_callbacks):
    settings.DEBUG = True
    register(proponent, "http://127.0.0.1:9/hook")
    application = make_application(proponent)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.submit_application(application, acting_user=proponent)
            assert Delivery.objects.count() == 1
            raise RuntimeError("the request failed after the transition")
    assert not Delivery.objects.exists() and callbacks == []
    assert Application.objects.get(pk=application.pk).state == "draft"


def test_a_refused_transition_writes_no_delivery(proponent, sarawak_approver, settings, committed):
    settings.DEBUG = True
    endpoint = register(proponent, "http://127.0.0.1:9/hook")
    with committed():
        application = make_application(proponent, state="loa_review")
    with pytest.raises(Exception):
        services.issue_loa(application, acting_user=sarawak_approver, authorized_quantity=10)
    assert list(Delivery.objects.filter(endpoint=endpoint).values_list("event_type", flat=True)) == ["application.submit"]


def test_only_the_owning_organisation_and_chosen_events_are_sent(proponent, settings, committed):
    settings.DEBUG = True
    stranger = UserFactory()
    OrganisationFactory().members.add(stranger)
    theirs = register(stranger, "http://127.0.0.1:9/other")
    only_ca = register(proponent, "http://127.0.0.1:9/ca", events=["application.approve_ca"])
    with committed():
        make_application(proponent, state="authorized")
    assert not Delivery.objects.filter(endpoint=theirs).exists()
    assert list(Delivery.objects.filter(endpoint=only_ca).values_list("event_type", flat=True)) == ["application.approve_ca"]


def test_the_receiver_verifies_the_signature(proponent, receiver, committed):
    server = receiver()
    endpoint = register(proponent, server.url)
    server.secret = endpoint.secret
    with committed():
        make_application(proponent, state="loa_review")
    delivery = attempt_delivery(Delivery.objects.get().pk)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.last_status_code == 200
    assert server.accepted and server.accepted[0]["valid"]
    assert server.accepted[0]["body"]["type"] == "application.submit"


def test_a_wrong_secret_fails_verification(proponent, receiver, committed):
    server = receiver()
    register(proponent, server.url)
    server.secret = "whsec_not-the-secret"
    with committed():
        make_application(proponent, state="loa_review")
    delivery = attempt_delivery(Delivery.objects.get().pk)
    assert server.received[0]["valid"] is False and delivery.status == DeliveryStatus.PENDING and delivery.last_status_code == 401


def test_a_receiver_failing_three_times_gets_the_event_exactly_once(proponent, receiver, committed):
    server = receiver(fail_first=3)
    endpoint = register(proponent, server.url)
    server.secret = endpoint.secret
    with committed():
        make_application(proponent, state="loa_review")
    delivery_id = Delivery.objects.get().pk
    now = timezone.now()
    delays = []
    for attempt in range(1, 5):
        delivery = attempt_delivery(delivery_id, now=now)
        assert delivery is not None and delivery.attempts == attempt
        assert attempt_delivery(delivery_id, now=now) is None  # not due again yet: nobody sends it twice
        if delivery.next_attempt_at:
            delays.append(delivery.next_attempt_at - now)
            now = delivery.next_attempt_at
    assert delays == [backoff(1), backoff(2), backoff(3)] and delays[0] < delays[1] < delays[2]
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [entry["status_code"] for entry in delivery.log] == [500, 500, 500, 200]
    assert len(server.accepted) == 1 and len(server.received) == 4
    assert attempt_delivery(delivery_id, now=now + timedelta(days=1)) is None
    assert due_delivery_ids(now=now + timedelta(days=1)) == []
    assert len(server.accepted) == 1


def test_after_a_day_of_failures_it_gives_up(proponent, receiver, committed):
    server = receiver(fail_first=100)
    register(proponent, server.url)
    with committed():
        make_application(proponent, state="loa_review")
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(hours=23, minutes=59, seconds=45))  # the next try would fall past the day
    assert attempt_delivery(delivery.pk).status == DeliveryStatus.FAILED


# --- the API ---------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://192.168.0.10/", "https://169.254.169.254/latest/meta-data",
    "https://[::1]/hook", "https://[::ffff:10.0.0.1]/", "http://93.184.216.34/hook", "https://user:pw@93.184.216.34/",
    "https://0.0.0.0/", "ftp://example.com/",
])
def test_private_loopback_and_plain_http_urls_are_refused(api, proponent, settings, url):
    settings.DEBUG = False
    response = api(proponent).post("/api/v1/webhooks/endpoints/", {"url": url}, format="json")
    assert response.status_code == 400 and "url" in response.json(), response.json()
    assert not Endpoint.objects.exists()


def test_a_name_resolving_to_a_private_address_is_refused(api, proponent, settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setattr("apps.webhooks.urls_safety.resolve", lambda host, port: ["93.184.216.34", "10.0.0.7"])
    response = api(proponent).post("/api/v1/webhooks/endpoints/", {"url": "https://sneaky.example.com/"}, format="json")
    assert response.status_code == 400 and "private" in response.json()["url"][0]


def test_registering_shows_the_secret_once_then_lists_without_it(api, proponent, settings):
    settings.DEBUG = False
    created = api(proponent).post("/api/v1/webhooks/endpoints/", {"url": "https://93.184.216.34/hook", "events": ["application.submit"]},
                                  format="json")
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    listed = api(proponent).get("/api/v1/webhooks/endpoints/").json()
    assert [e["url"] for e in listed] == ["https://93.184.216.34/hook"] and "secret" not in listed[0]


def test_an_unknown_event_type_is_refused(api, proponent, settings):
    settings.DEBUG = True
    response = api(proponent).post("/api/v1/webhooks/endpoints/", {"url": "http://127.0.0.1:9/", "events": ["everything"]}, format="json")
    assert response.status_code == 400 and "events" in response.json()


def test_only_proponent_members_register_and_only_the_organisation_sees_them(api, proponent, sabah_approver, settings):
    settings.DEBUG = True
    assert api(sabah_approver).post("/api/v1/webhooks/endpoints/", {"url": "http://127.0.0.1:9/"}, format="json").status_code == 403
    endpoint = register(proponent, "http://127.0.0.1:9/")
    assert api(sabah_approver).get(f"/api/v1/webhooks/endpoints/{endpoint.pk}/deliveries/").status_code == 404
    assert api(sabah_approver).delete(f"/api/v1/webhooks/endpoints/{endpoint.pk}/").status_code == 404
    assert api(None).get("/api/v1/webhooks/endpoints/").status_code == 401


def test_send_a_test_event_and_read_the_delivery_log(api, proponent, receiver):
    server = receiver()
    endpoint = register(proponent, server.url)
    server.secret = endpoint.secret
    queued = api(proponent).post(f"/api/v1/webhooks/endpoints/{endpoint.pk}/test/")
    assert queued.status_code == 202 and queued.json()["event_type"] == "ping"
    attempt_delivery(queued.json()["id"])
    log = api(proponent).get(f"/api/v1/webhooks/endpoints/{endpoint.pk}/deliveries/").json()["results"]
    assert log[0]["status"] == "delivered" and log[0]["attempts"] == 1 and log[0]["last_status_code"] == 200
    assert server.accepted[0]["valid"]


def test_deleting_an_endpoint_stops_deliveries(api, proponent, settings, committed):
    settings.DEBUG = True
    endpoint = register(proponent, "http://127.0.0.1:9/")
    assert api(proponent).delete(f"/api/v1/webhooks/endpoints/{endpoint.pk}/").status_code == 204
    with committed():
        make_application(proponent, state="loa_review")
    assert not Delivery.objects.exists()


@pytest.fixture
def eager_celery():
    from celery import current_app

    current_app.conf.task_always_eager = True  # the task body runs here, as a worker would run it
    yield
    current_app.conf.task_always_eager = False


def test_on_commit_the_task_delivers_the_event(proponent, receiver, django_capture_on_commit_callbacks, eager_celery):
    server = receiver()
    endpoint = register(proponent, server.url)
    server.secret = endpoint.secret
    application = make_application(proponent)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit_application(application, acting_user=proponent)
    assert Delivery.objects.get().status == DeliveryStatus.PENDING and server.received == [], "nothing sent before the commit"
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert [e["body"]["type"] for e in server.accepted] == ["application.submit"]
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_crash_between_commit_and_enqueue_is_sent_by_the_sweep_exactly_once(proponent, receiver, eager_celery,
                                                                               django_capture_on_commit_callbacks):
    server = receiver()
    endpoint = register(proponent, server.url)
    server.secret = endpoint.secret
    application = make_application(proponent)
    with django_capture_on_commit_callbacks(execute=False):  # the process died after commit: the enqueue never ran
        services.submit_application(application, acting_user=proponent)
    assert server.received == []
    assert retry_due() == 1
    assert retry_due() == 0
    assert [e["body"]["data"]["reference"] for e in server.accepted] == [application.reference]
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_catch_up_writes_a_recent_event_that_has_no_delivery_and_only_once(proponent, settings, committed):
    """An event committed without its rows (by a process running the earlier code, during a deploy)."""
    settings.DEBUG = True
    endpoint = register(proponent, "http://127.0.0.1:9/hook")
    with committed():
        make_application(proponent, state="loa_review")
    Delivery.objects.all().delete()
    later = timezone.now() + timedelta(minutes=1)
    with committed():
        assert catch_up(now=later) == 1
    assert catch_up(now=later) == 0
    assert Delivery.objects.get(endpoint=endpoint).event_type == "application.submit"


def test_an_endpoint_registered_after_an_event_does_not_get_it(proponent, settings, monkeypatch, committed):
    settings.DEBUG = True
    with committed():
        make_application(proponent, state="loa_review")
    register(proponent, "http://127.0.0.1:9/hook")
    assert catch_up(now=timezone.now() + timedelta(minutes=1)) == 0
