"""Point this process's Celery app at a closed port, as if Redis had stopped, and back."""
from __future__ import annotations

from contextlib import contextmanager

from config.celery import app

CLOSED_PORT_URL = "redis://127.0.0.1:9/3"  # port 9 (discard): nothing listens there


def _use_broker(url: str) -> None:
    # Forget (do not close: kombu shares pools per URL) the connection and producer pools of the old URL.
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = url


@contextmanager
def broker_unreachable():
    original = app.conf.broker_url
    _use_broker(CLOSED_PORT_URL)
    try:
        yield
    finally:
        _use_broker(original)
