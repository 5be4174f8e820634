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
BENCH_ONLY_ENVIRONMENT = (
    "DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "TIERFLOW_REQUIRE_2FA", "LOG_LEVEL",
    "TIERFLOW_BENCH_URLS",
)


def make_test(sizes: dict, *, run: bool) -> list[Row]:
    note = ""
    if run:
        # The suite runs as `make test` would from a shell: none of the bench's own settings (runner.py) leak in,
        # or tests that check production defaults (HTTPS redirect, two-factor) would see the bench's overrides.
        env = {k: v for k, v in os.environ.items() if k not in BENCH_ONLY_ENVIRONMENT}
        start = time.perf_counter()
        result = subprocess.run(["make", "test"], cwd=BASE_DIR, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        lines = [line for line in result.stdout.splitlines() if " passed" in line or " failed" in line or " error" in line]
        # The suite's line, then the SQLite subset's: both runs of `make test`.
        summary = "; ".join(line.strip("= ") for line in lines) if lines else f"exit status {result.returncode}"
        note = f"run now: {summary}"
        if result.returncode != 0:
            log = RECORD.with_name("make_test_failed.log")
            log.write_text(result.stdout[-200_000:] + result.stderr[-50_000:])
            note += f" (output in {log.relative_to(BASE_DIR)})"
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
