"""The notification-delivery baseline task: does nothing but count itself done (one Redis INCR)."""
from __future__ import annotations

import os
from functools import cache

from celery import shared_task

COUNTER = "tierflow:bench:noop"


@cache
def _store():
    import redis

    # One client per worker process, as Tierflow's tasks reuse theirs: a reconnect per task would slow the baseline.
    return redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])


@shared_task(name="bench.noop", ignore_result=True)
def noop() -> None:
    _store().incr(COUNTER)
