"""Celery tasks for the outbox: thin, idempotent, acknowledged only after the work is done."""
from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from . import services

logger = logging.getLogger(__name__)

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


@shared_task(name="notifications.deliver_batch", acks_late=True, reject_on_worker_lost=True)
def deliver_batch(notification_ids: list[int]) -> None:
    """Deliver the rows one transaction wrote: in-app ones in one statement, emails one by one.

    Returns nothing: results are not stored, and Celery formats every return value for its log, which for this
    task's counts cost a twentieth of the task; the counts go to the debug log instead.

    An email that fails, or that another worker holds, is handed to the per-row `deliver` task, which
    owns the backoff and the final failure; a batch therefore never retries as a whole.
    """
    def one_email(notification_id: int) -> str:
        countdown = retry_countdown(0)
        try:
            outcome = services.deliver_notification(notification_id, retry_in=timedelta(seconds=countdown))
        except services.DeliveryFailed:
            deliver.apply_async((notification_id,), countdown=countdown, retry=False)
            raise
        if outcome == "busy":  # its worker may have died mid-send: look again once the claim may be stale
            deliver.apply_async((notification_id,), countdown=services.claim_timeout().total_seconds() + 1, retry=False)
        return outcome

    outcome = services.deliver_batch(notification_ids, on_email=one_email)
    logger.debug("batch of %d: %s", len(notification_ids), outcome)


@shared_task(name="notifications.republish_pending", acks_late=True)
def republish_pending() -> int:
    """Publish again rows still pending after a minute (the broker was down at commit, or a worker died)."""
    return services.republish_pending()
