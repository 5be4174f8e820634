"""The notification-delivery baseline task: does nothing but count itself done (one Redis INCR)."""
from __future__ import annotations

import os

from celery import shared_task

COUNTER = "tierflow:bench:noop"


@shared_task(name="bench.noop", ignore_result=True)
def noop() -> None:
    import redis

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).incr(COUNTER)
