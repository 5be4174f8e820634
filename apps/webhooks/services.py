"""Registering endpoints, writing deliveries in the event's transaction, and sending them with retries.

A delivery row is written in the same transaction as the application event
(the outbox), so an event is never lost and never sent for a change that
rolled back. A unique (endpoint, event id) means no endpoint gets an event
twice; a delivered row is never sent again. Failed sends are retried with
exponential backoff for a day, then marked failed.
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
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.services import record_event

from .models import Delivery, DeliveryStatus, Endpoint
from .signing import SIGNATURE_HEADER, sign
from .urls_safety import check_webhook_url

logger = logging.getLogger(__name__)

EVENT_TYPES = [
    "application.submit", "application.resubmit", "application.withdraw", "application.request_changes",
    "application.reject", "application.issue_loa", "application.approve_ca", "application.revoke", "ping",
]
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
    record_event(event="webhook.endpoint_created", subject_type="organisation", subject_id=organisation.pk,
                 acting_user=acting_user, data={"endpoint": endpoint.pk, "url": url, "events": endpoint.events})
    return endpoint, secret


@transaction.atomic
def delete_endpoint(*, acting_user, endpoint: Endpoint) -> None:
    record_event(event="webhook.endpoint_deleted", subject_type="organisation", subject_id=endpoint.organisation_id,
                 acting_user=acting_user, data={"endpoint": endpoint.pk, "url": endpoint.url})
    endpoint.delete()


def _enqueue(delivery_ids: list[int]) -> None:
    """After commit: hand each delivery to a worker; if the broker is away, `webhooks.retry_due` picks them up."""
    from .tasks import deliver

    for delivery_id in delivery_ids:
        try:
            deliver.apply_async(args=[delivery_id], retry=False)
        except Exception:  # noqa: BLE001 - the outbox row stays pending; the sweep sends it
            logger.warning("could not enqueue webhook delivery %s; retry_due will send it", delivery_id, exc_info=True)


def publish_application_event(*, application, event_type: str, event_id: str, at: datetime, data: dict) -> int:
    """Write one delivery per interested endpoint of the application's organisation (inside the event's transaction)."""
    endpoints = [e for e in Endpoint.objects.filter(organisation_id=application.organisation_id, is_active=True)
                 if e.wants(event_type)]
    if not endpoints:
        return 0
    payload = {
        "id": event_id, "type": event_type, "created_at": at.isoformat(),
        "data": {"reference": application.reference, "title": application.title, "state": application.state,
                 "host_party": application.host_party_id, "jurisdiction": application.jurisdiction_id, **data},
    }
    rows = Delivery.objects.bulk_create([
        Delivery(endpoint=endpoint, event_id=event_id, event_type=event_type, application_reference=application.reference,
                 payload=payload, next_attempt_at=at)
        for endpoint in endpoints
    ])  # the event id is the audit sequence number: unique per event, so per (endpoint, event)
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return len(endpoints)


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
