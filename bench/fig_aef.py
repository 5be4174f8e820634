"""AEF export: a year with the large number of ledger actions against the same at a tenth of them.

Peak memory is measured in a fresh subprocess per export (tracemalloc peak of the export call, and
the process's max RSS), so one export's garbage does not flatter the next; rows/s reported.
Needs issue 6 (`apps.reporting.services.export_aef` and the ledger's `Action`).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .common import Row, fmt, unavailable

BASE_DIR = Path(__file__).resolve().parent.parent
FIGURE = "AEF export peak memory"
YEARS = {"small": 2031, "large": 2032}

CHILD = r"""
import io, json, os, resource, sys, time, tracemalloc
import django
django.setup()
from apps.reporting.services import export_aef
year, fmt = int(sys.argv[1]), sys.argv[2]
stream = open(os.devnull, "wb")
tracemalloc.start()
start = time.perf_counter()
rows = export_aef(party="MYS", year=year, fmt=fmt, stream=stream)
seconds = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"rows": rows, "seconds": seconds, "peak": peak, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def seed_actions(count: int, year: int) -> None:
    """Bulk ledger actions in `year` for Malaysia (issue 6's model), one per seeded application."""
    from datetime import datetime, timezone as tz

    from django.contrib.auth import get_user_model

    from apps.authorizations.models import Application
    from apps.ledger.models import Action, ActionType

    applications = list(Application.objects.filter(reference__startswith="BENCH-").order_by("pk").values_list("pk", flat=True)[:1000])
    actor = get_user_model().objects.get(username="federal.approver")
    kinds = [value for value in ActionType.values]
    at = datetime(year, 6, 1, tzinfo=tz.utc)
    batch = []
    for i in range(count):
        first = 1 + i * 10
        batch.append(Action(action_type=kinds[i % len(kinds)], party_id="MYS", application_id=applications[i % len(applications)],
                            registry_id="MY001", first_id=first, last_id=first + 9, quantity=10, cooperative_approach_id="MY0001",
                            first_transferring_party_id="MYS", vintage=2030, acquiring_party_id="KOR", transferring_party_id="MYS",
                            at=at, actor=actor))
        if len(batch) == 5000:
            Action.objects.bulk_create(batch)
            batch = []
    if batch:
        Action.objects.bulk_create(batch)


def _export(year: int, fmt_: str) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, str(year), fmt_], cwd=BASE_DIR, env=dict(os.environ),
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "export failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def aef(sizes: dict) -> list[Row]:
    try:
        from apps.reporting.services import export_aef  # noqa: F401
        from apps.ledger.models import Action  # noqa: F401
    except Exception as error:  # noqa: BLE001
        return [unavailable(f"{FIGURE} (xlsx, csv)", 6, error)]
    seed_actions(sizes["aef_small"], YEARS["small"])
    seed_actions(sizes["aef_large"], YEARS["large"])
    rows = []
    for fmt_ in ("xlsx", "csv"):
        small, large = _export(YEARS["small"], fmt_), _export(YEARS["large"], fmt_)
        ratio = large["peak"] / max(small["peak"], 1)
        rows.append(Row(
            figure=f"{FIGURE} ({fmt_})", tierflow=fmt(large["peak"] / 2**20, "MiB"), baseline=fmt(small["peak"] / 2**20, "MiB"),
            ratio=ratio, target="≤ 1.2", met=ratio <= 1.2,
            note=(f"{large['rows']} vs {small['rows']} rows; {fmt(large['rows'] / large['seconds'], 'rows/s')} at the large size; "
                  f"max RSS {fmt(large['maxrss_kb'] / 1024, 'MiB')} vs {fmt(small['maxrss_kb'] / 1024, 'MiB')}"),
            raw={"large": large, "small": small},
        ))
    return rows
