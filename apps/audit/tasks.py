"""The scheduled verification: the beat runs it nightly so the admin always shows a recent result."""
from celery import shared_task

from .services import verify_and_record


@shared_task(name="audit.verify_chain")
def verify_chain_task() -> dict:
    run = verify_and_record(requested_by="scheduler")
    return {"ok": run.ok, "checked": run.checked, "broken_seq": run.broken_seq}
