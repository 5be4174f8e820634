"""`make test` wall time: the last run's, as `make test` records it in var/bench/make_test.json."""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from .common import Row, fmt

BASE_DIR = Path(__file__).resolve().parent.parent
RECORD = BASE_DIR / "var" / "bench" / "make_test.json"


def make_test(sizes: dict, *, run: bool) -> list[Row]:
    note = ""
    if run:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
        start = time.perf_counter()
        result = subprocess.run(["make", "test"], cwd=BASE_DIR, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        lines = [line for line in result.stdout.splitlines() if " passed" in line or " failed" in line or " error" in line]
        summary = lines[-1] if lines else f"exit status {result.returncode}"
        note = f"run now: {summary.strip('= ')}"
        if result.returncode != 0:
            return [Row(figure="make test wall time", tierflow=fmt(seconds, "s"), target="< 300 s", met=False, note=note)]
    if not RECORD.exists():
        return [Row(figure="make test wall time", tierflow="not recorded", target="< 300 s", note="run `make test` once")]
    record = json.loads(RECORD.read_text())
    seconds = record["seconds"]
    partial = bool(record.get("args", "").strip())
    note = note or f"last `make test` at {record.get('finished', '?')}"
    if partial:
        note += f" — a partial run (PYTEST_ARGS={record['args']!r}), not the whole suite"
    return [Row(figure="make test wall time", tierflow=fmt(seconds, "s"), target="< 300 s", met=None if partial else seconds < 300,
                note=note, raw=record)]
