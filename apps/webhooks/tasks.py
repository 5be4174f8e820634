"""Celery entry points: thin, the work is in services."""
from celery import shared_task

from . import services


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver(delivery_id: int) -> None:
    services.attempt_delivery(delivery_id)


@shared_task(name="webhooks.retry_due", ignore_result=True)
def retry_due() -> int:
    """Every minute from beat: write deliveries a crash missed, then hand every due one (retries, and any the broker
    missed) to a worker."""
    services.catch_up()
    ids = services.due_delivery_ids()
    for delivery_id in ids:
        deliver.delay(delivery_id)
    return len(ids)


@shared_task(name="webhooks.prune_deliveries", ignore_result=True)
def prune_deliveries() -> int:
    """Daily from beat: finished deliveries (payload and attempt log) older than the retention period."""
    return services.prune_finished_deliveries()
