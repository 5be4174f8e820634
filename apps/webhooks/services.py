"""Registering endpoints, writing deliveries for application events, and sending them with retries.

The deliveries of a transition (one outbox row per interested endpoint) are written in the transition's
transaction, in one INSERT … SELECT, so they commit or roll back with it; only the hand-over to Celery waits
for the commit. A crash between commit and hand-over leaves pending rows that `webhooks.retry_due` sends;
`catch_up` writes rows for recent transition events that have none (events committed before this scheme).
A unique (endpoint, event id) means no endpoint gets an event twice; a delivered row is never sent again.
Failed sends are retried with exponential backoff for a day, then marked failed.
"""
from __future__ import annotations

import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.events import Event
from apps.audit.services import record_event
from apps.authorizations.workflow import APPLICATION

from .models import Delivery, DeliveryStatus, Endpoint
from .signing import SIGNATURE_HEADER, sign
from .urls_safety import check_webhook_url

logger = logging.getLogger(__name__)

EVENT_TYPES = [*APPLICATION.event_types, "ping"]
RETRY_FOR = timedelta(days=1)
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 4 * 3600
CLAIM_LEASE = timedelta(minutes=2)


def _validate_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise ValidationError({"events": _("Unknown event types: %(names)s.") % {"names": ", ".join(unknown)}})
    return sorted(set(events))


@transaction.atomic
def create_endpoint(*, acting_user, organisation, url: str, events: list[str], description: str = "") -> tuple[Endpoint, str]:
    """Register an endpoint for the organisation; returns it and its signing secret (shown once)."""
    if not organisation.members.filter(pk=acting_user.pk).exists():
        raise PermissionDenied(_("You are not a member of %(organisation)s.") % {"organisation": organisation})
    check_webhook_url(url)
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = Endpoint.objects.create(organisation=organisation, created_by=acting_user, url=url, secret=secret,
                                       events=_validate_events(events), description=description)
    record_event(event=Event.WEBHOOK_ENDPOINT_CREATED, subject_type="organisation", subject_id=organisation.pk,
                 acting_user=acting_user, data={"endpoint": endpoint.pk, "url": url, "events": endpoint.events})
    return endpoint, secret


@transaction.atomic
def delete_endpoint(*, acting_user, endpoint: Endpoint) -> None:
    record_event(event=Event.WEBHOOK_ENDPOINT_DELETED, subject_type="organisation", subject_id=endpoint.organisation_id,
                 acting_user=acting_user, data={"endpoint": endpoint.pk, "url": endpoint.url})
    endpoint.delete()


def _enqueue(delivery_ids: list[int]) -> None:
    """After commit: hand each delivery to a worker without waiting on the broker (the background publisher);
    if the broker is away, `webhooks.retry_due` picks them up."""
    from apps.notifications.publisher import send

    for delivery_id in delivery_ids:
        send("webhooks.deliver", [delivery_id])


_INSERT_FOR_ENDPOINTS = """
    INSERT INTO webhooks_delivery (endpoint_id, event_id, event_type, application_reference, payload, status, attempts,
                                   next_attempt_at, last_error, log, created_at)
    SELECT endpoint.id, %(event_id)s, %(event_type)s, %(reference)s, %(payload)s::jsonb, 'pending', 0, %(now)s, '',
           '[]'::jsonb, %(now)s
    FROM webhooks_endpoint endpoint
    WHERE endpoint.organisation_id = %(organisation)s AND endpoint.is_active AND endpoint.created_at <= %(at)s
      AND (endpoint.events = '[]'::jsonb OR endpoint.events @> %(wanted)s::jsonb)
    ON CONFLICT (endpoint_id, event_id) DO NOTHING
    RETURNING id
"""


def _payload(*, reference: str, title: str, state: str, host_party: str, jurisdiction: str, event_type: str,
             event_id: str, at: datetime, data: dict) -> dict:
    return {"id": event_id, "type": event_type, "created_at": at.isoformat(),
            "data": {"reference": reference, "title": title, "state": state, "host_party": host_party,
                     "jurisdiction": jurisdiction, **data}}


def write_deliveries(*, organisation_id: int, reference: str, event_type: str, event_id: str, at: datetime,
                     payload: dict) -> list[int]:
    """One delivery per interested endpoint that existed at the event; an (endpoint, event) pair is written once."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_FOR_ENDPOINTS, {
                "event_id": event_id, "event_type": event_type, "reference": reference,
                "payload": json.dumps(payload, default=str), "at": at, "now": now, "organisation": organisation_id,
                "wanted": json.dumps([event_type]),
            })
            ids = [row[0] for row in cursor.fetchall()]
    else:  # the SQLite of `make run`
        endpoints = [e for e in Endpoint.objects.filter(organisation_id=organisation_id, is_active=True, created_at__lte=at)
                     if e.wants(event_type)]
        Delivery.objects.bulk_create([
            Delivery(endpoint=endpoint, event_id=event_id, event_type=event_type, application_reference=reference,
                     payload=payload, next_attempt_at=now)
            for endpoint in endpoints
        ], ignore_conflicts=True)
        ids = list(Delivery.objects.filter(event_id=event_id, endpoint__in=endpoints, attempts=0,
                                           status=DeliveryStatus.PENDING).values_list("pk", flat=True))
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return ids


def publish_application_event(*, application, event_type: str, event_id: str, at: datetime, data: dict) -> list[int]:
    """Called in the transition's transaction: one statement there writes the deliveries; the enqueue waits for commit."""
    payload = _payload(reference=application.reference, title=application.title, state=application.state,
                       host_party=application.host_party_id, jurisdiction=application.jurisdiction_id,
                       event_type=event_type, event_id=event_id, at=at, data=data)
    return write_deliveries(organisation_id=application.organisation_id, reference=application.reference,
                            event_type=event_type, event_id=event_id, at=at, payload=payload)


CATCH_UP_WINDOW = (timedelta(minutes=15), timedelta(seconds=30))


def catch_up(*, now: datetime | None = None) -> int:
    """Write deliveries for recent transition events that have none, e.g. committed before rows were written in the
    transaction (idempotent: a pair already written is skipped by the unique constraint)."""
    from apps.audit.models import AuditEvent
    from apps.authorizations.models import Application

    now = now or timezone.now()
    events = list(AuditEvent.objects.filter(
        subject_type="application", event__in=APPLICATION.event_types,
        at__gte=now - CATCH_UP_WINDOW[0], at__lte=now - CATCH_UP_WINDOW[1],
    ).order_by("seq")[:2000])
    applications = Application.objects.in_bulk({e.subject_id for e in events}, field_name="reference")
    written = 0
    for event in events:
        application = applications.get(event.subject_id)
        if application is None:
            continue
        event_type, event_id = event.event, f"audit:{event.seq}"
        data = {key: event.data.get(key) for key in ("transition", "from", "to", "comment")}
        data["actor"] = event.actor_username
        payload = _payload(reference=application.reference, title=application.title, state=event.data.get("to", ""),
                           host_party=application.host_party_id, jurisdiction=application.jurisdiction_id,
                           event_type=event_type, event_id=event_id, at=event.at, data=data)
        written += len(write_deliveries(organisation_id=application.organisation_id, reference=application.reference,
                                        event_type=event_type, event_id=event_id, at=event.at, payload=payload))
    return written


@transaction.atomic
def send_test_event(*, acting_user, endpoint: Endpoint) -> Delivery:
    """A `ping` to check the endpoint and its signature check, logged like any delivery."""
    now = timezone.now()
    event_id = f"ping:{secrets.token_hex(8)}"
    delivery = Delivery.objects.create(
        endpoint=endpoint, event_id=event_id, event_type="ping", next_attempt_at=now,
        payload={"id": event_id, "type": "ping", "created_at": now.isoformat(),
                 "data": {"endpoint": endpoint.pk, "requested_by": acting_user.username}},
    )
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    return delivery


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect could lead anywhere, including inside our network


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=getattr(settings, "TIERFLOW_WEBHOOK_TIMEOUT", 10)) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))[:300]


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... doubling up to 4 h between attempts."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


def attempt_delivery(delivery_id: int, *, now: datetime | None = None) -> Delivery | None:
    """Send one due delivery once. Claimed by a conditional update, so two workers never send it together."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), pk=delivery_id, status=DeliveryStatus.PENDING,
    ).update(next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()
    try:
        check_webhook_url(endpoint.url)  # again at send time: DNS may have changed since registration
        status_code, error = _post(endpoint.url, body, {
            "Content-Type": "application/json", "User-Agent": "Tierflow-Webhooks/1",
            SIGNATURE_HEADER: sign(endpoint.secret, body, int(time.time())),
            "Tierflow-Event": delivery.event_type, "Tierflow-Event-Id": delivery.event_id,
        })
    except ValidationError as refused:
        status_code, error = None, "; ".join(refused.messages)[:300]
    attempts = delivery.attempts + 1
    entry = {"at": now.isoformat(), "attempt": attempts, "status_code": status_code, "error": error}
    if status_code is not None and 200 <= status_code < 300:
        fields = {"status": DeliveryStatus.DELIVERED, "delivered_at": now, "next_attempt_at": None}
    elif now + backoff(attempts) - delivery.created_at > RETRY_FOR:
        fields = {"status": DeliveryStatus.FAILED, "next_attempt_at": None}
    else:
        fields = {"next_attempt_at": now + backoff(attempts)}
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts, last_status_code=status_code, last_error=error, log=[*delivery.log, entry], **fields)
    delivery.refresh_from_db()
    return delivery


def due_delivery_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def prune_finished_deliveries() -> int:
    """Delete delivered or abandoned deliveries older than TIERFLOW_WEBHOOK_RETENTION_DAYS; pending ones stay."""
    cutoff = timezone.now() - timedelta(days=settings.TIERFLOW_WEBHOOK_RETENTION_DAYS)
    finished = Delivery.objects.filter(created_at__lt=cutoff).exclude(status=DeliveryStatus.PENDING)
    return finished.delete()[0]
