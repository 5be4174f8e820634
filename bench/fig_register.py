"""The public register's CSV: streaming a year of many letters against a year of a tenth of them, in peak memory.

As in fig_aef, each download runs in a fresh subprocess through the real view (RequestFactory, no test client
buffering): the process's peak RSS while the whole body is consumed, minus its RSS just before the request.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .common import RSS_SAMPLER, Row, fmt

BASE_DIR = Path(__file__).resolve().parent.parent
FIGURE = "register CSV peak memory (RSS growth)"
YEARS = {"small": 2022, "large": 2023}

CHILD = r"""
import gc, json, os, sys, tempfile, threading, time
import django
django.setup()
import csv
from django.test import RequestFactory
from django.urls import reverse
from apps.register.views import register_csv
reverse("register:list")  # the URLconf (every view module) loads before the measurement, as in a served process
year = int(sys.argv[1])
sink = tempfile.TemporaryFile()
""" + RSS_SAMPLER + r"""
sampler.start()
start = time.perf_counter()
response = register_csv(RequestFactory().get("/register/letters.csv", {"year": year}))
assert response.streaming, "the CSV must stream"
lines = 0
for chunk in response.streaming_content:
    sink.write(chunk)
    lines += 1
seconds = time.perf_counter() - start
stop_sampling()
print(json.dumps({"rows": lines - 1, "bytes": sink.tell(), "seconds": seconds, "peak": peak[0] - before, "maxrss": peak[0]}))
"""

LETTER_COLUMNS = """application_id, version, number, status, issuing_authority_id, issued_by_id, issued_at, authorized_quantity,
    vintage_from, vintage_to, purposes, first_transfer_definition, acquiring_parties, fingerprint,
    ca_approved_by_authority_id, ca_approved_at"""


def seed_letters(count: int, year: int) -> None:
    """`count` letters in force issued in `year`, one per seeded application that has none yet (one INSERT … SELECT)."""
    from django.db import connection, transaction

    from apps.authorizations.models import LetterOfAuthorization

    from .seed import _ids, _other_columns

    ids = _ids()
    columns, values, params = _other_columns(LetterOfAuthorization, "loa", LETTER_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO authorizations_letterofauthorization ({LETTER_COLUMNS}{columns})
            SELECT a.id, 1, 'LOA-' || a.reference, 'in_force', %(sabah)s, %(creator)s,
                   make_timestamptz(%(year)s, 1, 1, 0, 0, 0, 'UTC') + a.rn * interval '1 second', 1000 + a.rn %% 977,
                   2026, 2030, 'NDC', 'Authorization', '["KOR"]'::jsonb, encode(sha256(convert_to(a.reference, 'UTF8')), 'hex'),
                   %(federal)s, make_timestamptz(%(year)s, 1, 1, 0, 0, 0, 'UTC') + a.rn * interval '1 second'{values}
            FROM (SELECT app.id, app.reference, row_number() OVER (ORDER BY app.id) AS rn FROM authorizations_application app
                  WHERE app.reference LIKE 'BENCH-%%' AND NOT EXISTS
                        (SELECT 1 FROM authorizations_letterofauthorization l WHERE l.application_id = app.id)
                  ORDER BY app.id LIMIT %(count)s) a
            """,
            {**params, "sabah": ids["sabah"], "federal": ids["federal"], "creator": ids["creator"], "year": year, "count": count},
        )
        if cursor.rowcount != count:
            raise RuntimeError(f"seeded {cursor.rowcount} letters of {count}: too few seeded applications")


def _download(year: int) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, str(year)], cwd=BASE_DIR, env=dict(os.environ),
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "download failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def register_csv(sizes: dict) -> list[Row]:
    from django.utils import timezone

    from .seed import grow_applications, seeded_count

    needed = sizes["register_small"] + sizes["register_large"]
    if seeded_count() < needed:  # run alone (--only=register): seed the applications the letters belong to
        grow_applications(needed, now=timezone.now())
    seed_letters(sizes["register_small"], YEARS["small"])
    seed_letters(sizes["register_large"], YEARS["large"])
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics after the bulk load, as autovacuum would give a served database
        cursor.execute("ANALYZE authorizations_letterofauthorization")
    small, large = _download(YEARS["small"]), _download(YEARS["large"])
    ratio = large["peak"] / max(small["peak"], 1)
    return [Row(
        figure=FIGURE, tierflow=fmt(large["peak"] / 2**20, "MiB"), baseline=fmt(small["peak"] / 2**20, "MiB"),
        ratio=ratio, target="≤ 1.2", met=ratio <= 1.2 and large["rows"] == sizes["register_large"],
        note=(f"{large['rows']:,} vs {small['rows']:,} letters, {fmt(large['bytes'] / 2**20, 'MiB')} of CSV; "
              f"{fmt(large['rows'] / large['seconds'], 'rows/s')} at the large size; process peak RSS "
              f"{fmt(large['maxrss'] / 2**20, 'MiB')} vs {fmt(small['maxrss'] / 2**20, 'MiB')}"),
        raw={"large": large, "small": small},
    )]
