"""Workers skip Django's SELECT 1 before a task unless the server may have closed the connection (config/celery.py)."""
import time
from types import SimpleNamespace

import psycopg
import pytest
from django.db import connection

from config.celery import _closed_by_server

pytestmark = pytest.mark.django_db


def _own_connection() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(dbname=s["NAME"], user=s["USER"], host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432,
                           autocommit=True)


def test_an_idle_connection_reads_as_open_until_the_server_terminates_it():
    with _own_connection() as victim:
        victim.execute("SELECT 1")
        wrapped = SimpleNamespace(connection=victim)  # what Django's wrapper offers: .connection is psycopg's
        assert not _closed_by_server(wrapped)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [victim.info.backend_pid])
        deadline = time.monotonic() + 5
        while not _closed_by_server(wrapped):
            assert time.monotonic() < deadline, "a terminated connection's socket never became readable"
            time.sleep(0.01)


def test_a_connection_already_closed_on_this_side_counts_as_closed():
    victim = _own_connection()
    victim.close()
    assert _closed_by_server(SimpleNamespace(connection=victim))
