"""Notification delivery: one worker (concurrency 2) delivering N notifications vs draining N no-op tasks.

Tierflow: N pending in-app notifications (bulk-created), committed, then one `notifications.deliver_batch`
task per 6 rows (what one submit writes with the demo recipients), published at once; timed until no row
is pending. Commit-to-inbox is `delivered_at` minus the commit time, per notification (p50, p99).
Baseline: the same worker draining as many `bench.noop` messages as Tierflow publishes (N / 6, each one
Redis INCR so the end is observable), so both sides pay the same broker traffic and the ratio prices
only what delivering 6 rows costs beyond a task that does nothing. Both rates are notifications/s.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from apps.notifications.models import Channel, DeliveryStatus, Notification

from .common import Row, fmt, percentile

BASE_DIR = Path(__file__).resolve().parent.parent
FIGURE = "notification delivery (1 worker, concurrency 2)"
EVENT = "bench.delivery"
BATCH = 6


def _wait_for(predicate, timeout: float) -> float:
    start = time.perf_counter()
    while not predicate():
        if time.perf_counter() - start > timeout:
            raise RuntimeError("timed out")
        time.sleep(0.005)  # fine-grained: at the quick size the baseline drains in a fraction of a second
    return time.perf_counter()


def notifications(sizes: dict) -> list[Row]:
    import redis

    import apps.notifications.tasks  # noqa: F401  (registers notifications.deliver)
    from config.celery import app
    count = sizes["notifications"]
    broker = os.environ["CELERY_BROKER_URL"]
    store = redis.Redis.from_url(broker)
    store.flushdb()
    recipient = get_user_model().objects.get(username="proponent")
    Notification.objects.bulk_create([
        Notification(recipient=recipient, event=EVENT, channel=Channel.IN_APP, idempotency_key=f"bench:{i}:{time.time_ns()}",
                     subject=f"Benchmark notification {i}", status=DeliveryStatus.PENDING)
        for i in range(count)
    ], batch_size=5000)
    ids = list(Notification.objects.filter(event=EVENT).values_list("pk", flat=True))
    connection.close()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config.celery:app", "worker", "--concurrency", "2", "--pool", "prefork",
         "--include", "bench.tasks", "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=BASE_DIR, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        # Warm-up: the worker is consuming before the clock starts.
        store.delete("tierflow:bench:noop")
        app.send_task("bench.noop")
        _wait_for(lambda: int(store.get("tierflow:bench:noop") or 0) >= 1, 60)
        store.delete("tierflow:bench:noop")

        messages = -(-len(ids) // BATCH)  # what Tierflow publishes below
        start = time.perf_counter()
        for _ in range(messages):
            app.send_task("bench.noop")
        end = _wait_for(lambda: int(store.get("tierflow:bench:noop") or 0) >= messages, 600)
        baseline_rate = count / (end - start)

        committed = timezone.now()
        start = time.perf_counter()
        # As transitions publish them: one `deliver_batch` per transaction, 6 rows (a submit's, demo recipients).
        for start_at in range(0, len(ids), BATCH):
            app.send_task("notifications.deliver_batch", args=[ids[start_at:start_at + BATCH]])
        # Claimed rows are "sending" until delivered: wait until every row is delivered (or failed). Polling the whole
        # set every 5 ms scanned it in the PostgreSQL the worker shares the 2 cores with, slowing what it measured: the
        # last batch published is looked up by primary key, and the whole set only once that batch is done.
        finished = [DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]
        pending = Notification.objects.filter(event=EVENT).exclude(status__in=finished)
        last_pending = Notification.objects.filter(pk__in=ids[-BATCH:]).exclude(status__in=finished)
        end = _wait_for(lambda: not last_pending.exists() and not pending.exists(), 900)
        tierflow_rate = count / (end - start)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    delivered = Notification.objects.filter(event=EVENT).values_list("delivered_at", flat=True)
    latencies = [(at - committed).total_seconds() * 1000 for at in delivered if at is not None]
    ratio = tierflow_rate / baseline_rate
    return [Row(figure=FIGURE, tierflow=fmt(tierflow_rate, "notifications/s"), baseline=fmt(baseline_rate, "notifications/s"),
                ratio=ratio, target="≥ 0.7", met=ratio >= 0.7,
                note=f"commit-to-inbox p50 {fmt(percentile(latencies, 50), 'ms')}, p99 {fmt(percentile(latencies, 99), 'ms')}; {count} notifications in {messages} messages each side",
                raw={"tierflow_rate": tierflow_rate, "baseline_rate": baseline_rate, "messages": messages, "latencies_ms": {
                    "p50": percentile(latencies, 50), "p99": percentile(latencies, 99)}})]
