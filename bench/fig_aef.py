"""AEF export: a year with the large number of ledger actions against the same at a tenth of them.

Peak memory is measured in a fresh subprocess per export, so one export's garbage does not flatter the
next: the process's peak RSS during the export (sampled every 2 ms by a thread) minus its RSS just
before it (Django and the writers already imported). tracemalloc is not used: it slows the export several-fold and would distort rows/s.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .common import RSS_SAMPLER, Row, fmt

BASE_DIR = Path(__file__).resolve().parent.parent
FIGURE = "AEF export peak memory (RSS growth)"
YEARS = {"small": 2024, "large": 2025}

CHILD = r"""
import gc, json, os, sys, tempfile, threading, time
import django
django.setup()
import xlsxwriter, csv, zipfile  # imported before the measurement: the export's memory, not the imports'
from apps.reporting.services import export_aef
year, fmt = int(sys.argv[1]), sys.argv[2]
stream = tempfile.TemporaryFile()
""" + RSS_SAMPLER + r"""
sampler.start()
start = time.perf_counter()
rows = export_aef(party="MYS", year=year, fmt=fmt, stream=stream)
seconds = time.perf_counter() - start
stop_sampling()
print(json.dumps({"rows": rows, "seconds": seconds, "peak": peak[0] - before, "before": before, "maxrss": peak[0]}))
"""


def seed_actions(count: int, year: int) -> None:
    """`count` ledger actions in `year` for one authorized Malaysian application, bulk-created (`write_rounds`)."""
    from datetime import datetime, timezone as tz

    from django.utils import timezone

    from apps.authorizations.models import Application

    from .fig_transitions import run_chain
    from .seed import seed_drafts

    (application_id,) = seed_drafts(1, f"AEF{year}", now=timezone.now())
    run_chain(application_id)
    Application.objects.filter(pk=application_id).update(cooperative_approach_id="CA0001")
    write_rounds(Application.objects.get(pk=application_id), rounds=count // 3, at0=datetime(year, 6, 1, tzinfo=tz.utc))


def write_rounds(application, *, rounds: int, at0) -> None:
    """Per round, an issuance of 10 ITMOs, a first transfer of the front 4 to Korea and Korea's acquisition,
    with the matching serial blocks: a consistent ledger (check_ledger finds no difference), written in bulk
    because what is measured is reading it. Also used by scripts/ledger_volume.py."""
    from datetime import timedelta

    from django.db import transaction

    from apps.ledger.models import Action, ActionType, Block, SerialCounter, Subtype
    from apps.ledger.services import entity_account, party_account

    source, target = entity_account("MYS", application.organisation), party_account("KOR")
    start = SerialCounter.objects.filter(registry_id="MYS01").values_list("last_id", flat=True).first() or 0
    common = dict(application_id=application.pk, registry_id="MYS01", cooperative_approach_id="CA0001",
                  first_transferring_party_id="MYS", vintage=2026)
    actions, blocks = [], []
    with transaction.atomic():
        for i in range(rounds):
            first, at = start + i * 10 + 1, at0 + timedelta(seconds=i)
            actions += [
                Action(action_type=ActionType.ISSUANCE, party_id="MYS", first_id=first, last_id=first + 9, quantity=10,
                       to_account=source, at=at, **common),
                Action(action_type=ActionType.FIRST_TRANSFER, subtype=Subtype.FIRST_TRANSFER_TO_PARTY, party_id="MYS",
                       first_id=first, last_id=first + 3, quantity=4, from_account=source, to_account=target,
                       acquiring_party_id="KOR", at=at, **common),
                Action(action_type=ActionType.ACQUISITION, party_id="KOR", first_id=first, last_id=first + 3, quantity=4,
                       transferring_party_id="MYS", at=at, **common),
            ]
            blocks += [
                Block(first_id=first, last_id=first + 3, quantity=4, account=target, first_transferred=True, **common),
                Block(first_id=first + 4, last_id=first + 9, quantity=6, account=source, **common),
            ]
            if len(actions) >= 30_000:
                Action.objects.bulk_create(actions, batch_size=5000)
                Block.objects.bulk_create(blocks, batch_size=5000)
                actions, blocks = [], []
        Action.objects.bulk_create(actions, batch_size=5000)
        Block.objects.bulk_create(blocks, batch_size=5000)
        SerialCounter.objects.update_or_create(registry_id="MYS01", defaults={"last_id": start + rounds * 10})


def _export(year: int, fmt_: str) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, str(year), fmt_], cwd=BASE_DIR, env=dict(os.environ),
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "export failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def aef(sizes: dict) -> list[Row]:
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
                  f"process peak RSS {fmt(large['maxrss'] / 2**20, 'MiB')} vs {fmt(small['maxrss'] / 2**20, 'MiB')}"),
            raw={"large": large, "small": small},
        ))
    return rows
