"""The scheduled verification: the beat runs it nightly so the admin always shows a recent result."""
import logging

from celery import shared_task

from .services import verify_and_record

log = logging.getLogger(__name__)


@shared_task(name="audit.verify_chain")
def verify_chain_task() -> dict:
    run = verify_and_record(requested_by="scheduler")
    # The head goes to the log every day: copied off the machine, it is what `verify_audit --head` checks later.
    log.log(logging.INFO if run.ok else logging.ERROR, "audit chain head #%s %s (%s events, %s)", run.head_seq,
            run.head_hash, run.checked, "intact" if run.ok else f"broken at #{run.broken_seq}: {run.reason}")
    return {"ok": run.ok, "checked": run.checked, "broken_seq": run.broken_seq}
