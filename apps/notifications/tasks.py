"""Celery tasks for the outbox: thin, idempotent, acknowledged only after the work is done."""
from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from . import services

# Backoff: full jitter over 10 s, 20 s, 40 s ... capped at 10 minutes; the 8th failure marks the row failed.
RETRY_BACKOFF = 10
RETRY_BACKOFF_MAX = 600
MAX_RETRIES = 8


def retry_countdown(retries: int) -> int:
    return get_exponential_backoff_interval(factor=RETRY_BACKOFF, retries=retries, maximum=RETRY_BACKOFF_MAX, full_jitter=True)


@shared_task(name="notifications.deliver", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def deliver(self, notification_id: int) -> str:
    """Deliver one notification row (in-app or email), at most once however often this runs."""
    countdown = retry_countdown(self.request.retries)
    final = self.request.retries >= self.max_retries
    try:
        outcome = services.deliver_notification(notification_id, retry_in=timedelta(seconds=countdown), final=final)
    except services.DeliveryFailed as exc:
        if final:
            raise
        raise self.retry(exc=exc, countdown=countdown) from exc
    if outcome == "busy" and not final:
        # Another worker claimed the row. If it died mid-delivery its claim goes stale: look again then.
        raise self.retry(countdown=services.claim_timeout().total_seconds() + 1)
    return outcome


@shared_task(name="notifications.republish_pending", acks_late=True)
def republish_pending() -> int:
    """Publish again rows still pending after a minute (the broker was down at commit, or a worker died)."""
    return services.republish_pending()
