"""The Celery app (`config.celery.app`): Redis when CELERY_BROKER_URL is set, else a broker in files under var/.

Tasks are defined with `@shared_task(name=...)` in each app's tasks.py and
discovered here. Settings come from `config.settings` (the CELERY_* names).
"""
from __future__ import annotations

import os
import select

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tierflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fixup closes the database connection before and after every task unless told to reuse it: a new
# PostgreSQL connection per notification batch cost more than the batch. Reuse it for this many tasks, and let
# Django's own CONN_MAX_AGE and health check decide before each task whether it is still good.
app.conf.CELERY_DB_REUSE_MAX = 10_000
app.autodiscover_tasks()


def _closed_by_server(connection) -> bool:
    """Whether an idle PostgreSQL connection has something to read: the server closing it (a restart, a proxy's
    idle timeout, pg_terminate_backend) makes its socket readable, which select() sees without a round trip."""
    from psycopg import Error as PsycopgError

    try:
        ready, _, _ = select.select([connection.connection.pgconn.socket], [], [], 0)
    except (OSError, ValueError, AttributeError, PsycopgError):  # closed on this side already, or no socket
        return True
    return bool(ready)


@task_prerun.connect(dispatch_uid="tierflow.reuse_checked_connections")
def _check_database_connections(task=None, **kwargs) -> None:
    if task is not None and getattr(task.request, "is_eager", False):
        return  # run in the caller's process and transaction (tests, `.apply()`): its connection is the caller's
    from django.db import close_old_connections, connections

    close_old_connections()  # drops a connection past CONN_MAX_AGE or left broken by an error, as at each web request
    for connection in connections.all(initialized_only=True):
        # Django would send SELECT 1 before the task's first query (as much as a notification batch's own statement):
        # only where the server may have closed the connection.
        if connection.vendor == "postgresql" and connection.connection is not None and not _closed_by_server(connection):
            connection.health_check_done = True
