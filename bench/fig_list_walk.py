"""List walk: the cursor-paginated application list at the large size against the same pages at 1,000.

Officer (sabah.reviewer: every submitted application in Sabah) and proponent (its organisation's),
through the real API view in process (DRF test client, token-free `force_authenticate`); each sample
walks the first pages following `next`. Baseline: the same walk when 1,000 applications exist.
"""
from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from .common import percentile

PAGES = 5


def walk_latencies(username: str, samples: int) -> list[float]:
    user = get_user_model().objects.get(username=username)
    latencies = []
    for _ in range(max(1, samples // PAGES)):
        client = APIClient()
        client.force_authenticate(user=get_user_model().objects.get(pk=user.pk))
        url = "/api/v1/applications/"
        for _ in range(PAGES):
            start = time.perf_counter()
            response = client.get(url)
            latencies.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
            url = response.json()["next"]
            if not url:
                break
    return latencies


def measure(samples: int) -> dict[str, float]:
    walk_latencies("sabah.reviewer", 5)  # warm-up
    return {persona: percentile(walk_latencies(persona, samples), 99) for persona in ("sabah.reviewer", "proponent")}
