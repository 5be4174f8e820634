"""Broker publishing off the request path: one background thread per process, one pooled connection per broker.

A committed transaction hands its task messages to `send`, which only appends to an in-memory queue,
so a request never waits on the broker. The thread publishes them over a connection it keeps open.
If the broker is unreachable the messages are dropped after one quick attempt and the broker is
marked down for a few seconds (later messages in that window are dropped without a connection
attempt): the outbox rows stay pending and the republish sweeps publish them again, so nothing is lost.
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from importlib import import_module

logger = logging.getLogger(__name__)

# Messages waiting for the thread; beyond this the newest are dropped (their rows are swept up later).
MAX_WAITING = 10_000
# After a failed publish, drop messages without trying for this long (a blackholed broker costs no backlog).
DOWN_FOR = 5.0
CONNECT_TIMEOUT = 2.0

_lock = threading.Lock()
_queue: queue.Queue | None = None
_thread: threading.Thread | None = None
_pid: int | None = None
_down_until: dict[str, float] = {}
_last_error: dict[str, str] = {}


def _app():
    from config.celery import app

    return app


def send(task_name: str, args: list, *, countdown: float | None = None) -> None:
    """Publish `task_name(*args)` soon, from the background thread; never blocks, never raises."""
    app = _app()
    if app.conf.task_always_eager:  # tests that run task bodies in process: keep it synchronous
        import_module(f"apps.{task_name.split('.')[0]}.tasks")  # registers the task
        app.tasks[task_name].apply(args=args)
        return
    job = (app.conf.broker_write_url or app.conf.broker_url, task_name, list(args), countdown)
    try:
        _ensure_thread().put_nowait(job)
    except queue.Full:
        logger.warning("publish queue full; %s%s left to the republish sweep", task_name, args[:1])


def broker_down(url: str | None = None) -> str | None:
    """The last publish error if the broker (this process's view) is marked down, else None."""
    url = url or _app().conf.broker_write_url or _app().conf.broker_url
    return _last_error.get(url) if _down_until.get(url, 0) > time.monotonic() else None


def flush(timeout: float = 5.0) -> bool:
    """Wait until every message handed to `send` so far has been published or dropped; True if it got there."""
    q = _queue
    if q is None or _pid != os.getpid():
        return True
    deadline = time.monotonic() + timeout
    while q.unfinished_tasks:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def _ensure_thread() -> queue.Queue:
    global _queue, _thread, _pid
    if _pid == os.getpid() and _thread is not None and _thread.is_alive():
        return _queue
    with _lock:
        if _pid != os.getpid() or _thread is None or not _thread.is_alive():
            # A forked child (gunicorn, prefork worker) inherits no thread: start its own.
            _queue, _pid = queue.Queue(maxsize=MAX_WAITING), os.getpid()
            _thread = threading.Thread(target=_run, args=(_queue,), name="tierflow-publisher", daemon=True)
            _thread.start()
    return _queue


class _Channel:
    """One open broker connection and producer, reused for every message to that broker."""

    def __init__(self, app, url: str):
        self.connection = app.connection_for_write(url, connect_timeout=CONNECT_TIMEOUT)
        self.producer = app.amqp.Producer(self.connection, auto_declare=True)

    def close(self) -> None:
        try:
            self.connection.release()
        except Exception:  # noqa: BLE001 - a broken connection may fail to close too
            pass


def _publish(app, channels: dict, url: str, task_name: str, args: list, countdown) -> None:
    for attempt in (1, 2):  # a connection broken since the last message (Redis restarted) is reopened once
        channel = channels.get(url)
        try:
            if channel is None:
                channel = channels[url] = _Channel(app, url)
                channel.connection.ensure_connection(max_retries=1, timeout=CONNECT_TIMEOUT)
            app.send_task(task_name, args=args, countdown=countdown, producer=channel.producer, retry=False)
            return
        except Exception:
            if channel is not None:
                channel.close()
            channels.pop(url, None)
            if attempt == 2:
                raise


def _run(q: queue.Queue) -> None:
    app = _app()
    channels: dict[str, _Channel] = {}
    while True:
        url, task_name, args, countdown = q.get()
        try:
            if _down_until.get(url, 0) > time.monotonic():
                logger.info("broker marked down; %s%s left to the republish sweep", task_name, args[:1])
                continue
            _publish(app, channels, url, task_name, args, countdown)
            _down_until.pop(url, None)
        except Exception as exc:  # noqa: BLE001 - the rows stay pending; the sweeps publish them again
            _down_until[url] = time.monotonic() + DOWN_FOR
            _last_error[url] = f"{type(exc).__name__}: {exc}"[:200]
            logger.warning("could not publish %s (%s); the republish sweep will retry", task_name, exc)
        finally:
            q.task_done()


atexit.register(flush, 2.0)
