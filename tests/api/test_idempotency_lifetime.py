"""Idempotency keys are remembered for a day (configurable), a key left "in progress" by a worker that died is
released, and beat prunes old keys and finished webhook deliveries."""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.api.models import IdempotencyKey
from apps.api.tasks import prune_idempotency_keys
from apps.authorizations.models import Application
from apps.webhooks.models import Delivery, DeliveryStatus, Endpoint
from apps.webhooks.tasks import prune_deliveries

from ..factories import application_payload

pytestmark = pytest.mark.django_db


def create(client, key: str):
    return client.post("/api/v1/applications/", application_payload(), format="json", HTTP_IDEMPOTENCY_KEY=key)


def age(hours: float = 0, seconds: float = 0, **filters) -> None:
    IdempotencyKey.objects.filter(**filters).update(created_at=timezone.now() - timedelta(hours=hours, seconds=seconds))


def test_within_a_day_the_key_replays(api, proponent):
    client = api(proponent)
    create(client, "k-1")
    age(hours=23)
    again = create(client, "k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Application.objects.count() == 1


def test_after_a_day_the_key_is_forgotten_and_the_request_runs_again(api, proponent):
    client = api(proponent)
    create(client, "k-1")
    age(hours=25)
    again = create(client, "k-1")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Application.objects.count() == 2


def test_the_lifetime_is_configurable(api, proponent, settings):
    settings.TIERFLOW_IDEMPOTENCY_KEY_HOURS = 1
    client = api(proponent)
    create(client, "k-1")
    age(hours=2)
    assert "Idempotent-Replayed" not in create(client, "k-1")


def test_a_key_left_in_progress_by_a_dead_worker_is_released_after_the_timeout(api, proponent, settings):
    body = json.dumps(application_payload(), sort_keys=True, separators=(",", ":"), default=str)
    same_request = hashlib.sha256(f"POST /api/v1/applications/\n{body}".encode()).hexdigest()
    IdempotencyKey.objects.create(user=proponent, key="k-crashed", fingerprint=same_request)  # status never stored
    client = api(proponent)
    assert create(client, "k-crashed").json()["code"] == "idempotency_key_in_progress"  # it may still be running
    age(seconds=settings.TIERFLOW_IDEMPOTENCY_IN_PROGRESS_SECONDS + 1, key="k-crashed")
    response = create(client, "k-crashed")
    assert response.status_code == 201 and Application.objects.count() == 1
    assert create(client, "k-crashed")["Idempotent-Replayed"] == "true"


def test_beat_prunes_keys_past_their_lifetime(api, proponent):
    client = api(proponent)
    create(client, "old")
    create(client, "new")
    age(hours=25, key="old")
    assert prune_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_beat_prunes_finished_webhook_deliveries_past_retention_and_keeps_pending_ones(proponent, settings):
    endpoint = Endpoint.objects.create(organisation=proponent.organisations.first(), created_by=proponent,
                                       url="https://hooks.example.org/tierflow", secret="s")
    old = timezone.now() - timedelta(days=settings.TIERFLOW_WEBHOOK_RETENTION_DAYS + 1)
    for n, (status, created) in enumerate([(DeliveryStatus.DELIVERED, old), (DeliveryStatus.FAILED, old),
                                           (DeliveryStatus.PENDING, old), (DeliveryStatus.DELIVERED, timezone.now())]):
        delivery = Delivery.objects.create(endpoint=endpoint, event_id=f"e{n}", event_type="application.submit",
                                           payload={}, status=status, log=[{"attempt": 1}])
        Delivery.objects.filter(pk=delivery.pk).update(created_at=created)
    assert prune_deliveries() == 2
    assert sorted(Delivery.objects.values_list("event_id", flat=True)) == ["e2", "e3"]
