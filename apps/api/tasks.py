"""Housekeeping of the API's own tables, run by beat."""
from celery import shared_task

from .idempotency import prune_keys


@shared_task(name="api.prune_idempotency_keys", ignore_result=True)
def prune_idempotency_keys() -> int:
    return prune_keys()
