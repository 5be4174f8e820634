"""`python -m bench [--quick]`: recreate the bench database, run every figure, print one table, write JSON.

Environment: DATABASE_URL (a PostgreSQL database this run drops and recreates; `make bench` passes
BENCH_DATABASE_URL), CELERY_BROKER_URL (a Redis database the notification figure flushes).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "var" / "bench"


def _prepare_environment() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("make bench needs DATABASE_URL (BENCH_DATABASE_URL) to name a PostgreSQL database it may drop and recreate")
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        sys.exit("make bench needs CELERY_BROKER_URL (BENCH_REDIS_URL) to name a Redis database it may flush")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "0"  # no query log growing in memory; CaptureQueriesContext forces its own
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
    os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # the bench server speaks plain HTTP on 127.0.0.1
    # The throttle still runs on every in-process request; only its limit is lifted, or a walk of more than 1,200
    # pages a minute per user would measure 429s.
    os.environ.setdefault("TIERFLOW_API_RATE", "100000000/min")
    os.environ.setdefault("TIERFLOW_REQUIRE_2FA", "0")  # the demo approvers have no TOTP device; see bench/README.md
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(BASE_DIR))


def _admin_connection():
    import dj_database_url
    import psycopg

    settings = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = settings["NAME"]
    if not name.replace("_", "").isalnum():
        sys.exit(f"refusing to drop a database named {name!r}")
    admin = psycopg.conninfo.make_conninfo(dbname="postgres", user=settings["USER"] or None, password=settings["PASSWORD"] or None,
                                           host=settings["HOST"] or None, port=settings["PORT"] or None)
    return name, psycopg.connect(admin, autocommit=True)


def _schema_fingerprint() -> str:
    """Migrations and reference data: what the migrated, seeded template database depends on."""
    import hashlib

    digest = hashlib.sha256()
    paths = sorted([*BASE_DIR.glob("apps/*/migrations/*.py"), *BASE_DIR.glob("apps/governance/refdata/*"),
                    BASE_DIR / "apps/governance/demo.py", BASE_DIR / "apps/governance/reference.py"])
    for path in paths:
        digest.update(str(path.relative_to(BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _recreate_database() -> bool:
    """A fresh bench database; True when it was cloned from a template already migrated and seeded.

    The template (`<name>_tpl_<fingerprint>`) is made at the end of the first run's setup, so later
    runs skip migrate and the reference seed; a changed migration or seed file makes a new one.
    """
    name, admin = _admin_connection()
    template = f"{name}_tpl_{_schema_fingerprint()}"
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
        if exists:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return True
        stale = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{name}_tpl_%"]).fetchall()
        for (old,) in stale:
            admin.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return False


def _save_template() -> None:
    from django.db import connections

    connections.close_all()
    name, admin = _admin_connection()
    with admin:
        admin.execute(f'CREATE DATABASE "{name}_tpl_{_schema_fingerprint()}" TEMPLATE "{name}"')


def _table(rows) -> str:
    header = ("figure", "Tierflow", "baseline", "ratio", "target", "met")
    lines = []
    for row in rows:
        met = "—" if row.met is None else ("yes" if row.met else "NO")
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}"
        lines.append((row.figure, row.tierflow, row.baseline, ratio, row.target, met))
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths)) + " |" for line in lines]
    notes = [f"- {row.figure}: {row.note}" for row in rows if row.note]
    return "\n".join(out + ([""] + notes if notes else []))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the same table on smaller sizes (under 90 s)")
    parser.add_argument("--only", help="comma-separated figure keys to run (development)")
    args = parser.parse_args()
    mode = "quick" if args.quick else "full"
    if not args.only or "status" in args.only.split(","):
        from .wrk import WrkMissing, wrk_path

        try:
            wrk_path()  # before the database is dropped: no HTTP figure without wrk, no weaker fallback
        except WrkMissing as error:
            sys.exit(f"make bench: {error}")
    _prepare_environment()
    started = time.perf_counter()
    from_template = _recreate_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone as dj_timezone

    from apps.accounts.demo import seed_demo_accounts
    from apps.governance.demo import seed_reference_data

    from . import (fig_aef, fig_list_walk, fig_make_test, fig_notifications, fig_register, fig_status_read, fig_sweep,
                   fig_transitions)
    from .common import SIZES, Row, fmt
    from .seed import grow_applications, seeded_count

    if not from_template:
        call_command("migrate", verbosity=0)
        seed_reference_data()
        seed_demo_accounts()
        _save_template()
    print(f"[bench] database ready ({'from template' if from_template else 'migrated'}): {time.perf_counter() - started:.1f} s",
          file=sys.stderr, flush=True)
    sizes = SIZES[mode]
    rows: list[Row] = []
    only = set(args.only.split(",")) if args.only else None

    def step(key: str, label: str, function) -> None:
        if only and key not in only:
            return
        t0 = time.perf_counter()
        print(f"[bench] {label}…", file=sys.stderr, flush=True)
        try:
            rows.extend(function())
        except Exception as error:  # noqa: BLE001 — one broken figure must not hide the others
            traceback.print_exc()
            rows.append(Row(figure=label, tierflow=f"error: {type(error).__name__}", note=str(error)[:200], met=False))
        print(f"[bench] {label}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)

    step("queries", "queries per transition", lambda: fig_transitions.queries(sizes))
    step("throughput", "transition throughput", lambda: fig_transitions.throughput(sizes))
    step("status", "status read", lambda: fig_status_read.status_read(sizes))

    now = dj_timezone.now()
    small_p99: dict = {}

    def list_small():
        grow_applications(sizes["list_small"], now=now)
        small_p99.update(fig_list_walk.measure(sizes["list_samples"]))
        return []

    def list_large():
        grow_applications(sizes["list_large"], now=now, due=sizes["sweep_due"])
        large_p99 = fig_list_walk.measure(sizes["list_samples"])
        result = []
        for persona, label in (("sabah.reviewer", "officer"), ("proponent", "proponent")):
            ratio = large_p99[persona] / small_p99[persona]
            result.append(Row(figure=f"list walk p99, {label}", tierflow=fmt(large_p99[persona] * 1000, "ms"),
                              baseline=fmt(small_p99[persona] * 1000, "ms"), ratio=ratio, target="≤ 1.5", met=ratio <= 1.5,
                              note=f"{sizes['list_large']:,} vs {sizes['list_small']:,} applications, {fig_list_walk.PAGES} pages per walk"))
        return result

    def sweep():
        small = fig_sweep.sweep_seconds(now, sizes["sweep_due"])  # sweep_due among sweep_small (= list_large) open
        open_small = seeded_count()
        t0 = time.perf_counter()
        grow_applications(sizes["sweep_large"], now=now, due=sizes["sweep_due"])
        print(f"[bench]   seeded to {sizes['sweep_large']:,} open stages in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
        large = fig_sweep.sweep_seconds(now, sizes["sweep_due"])
        ratio = large / small
        return [Row(figure="deadline sweep", tierflow=fmt(large, "s"), baseline=fmt(small, "s"), ratio=ratio, target="≤ 1.5",
                    met=ratio <= 1.5,
                    note=f"{sizes['sweep_due']:,} due among {seeded_count():,} open vs among {open_small:,} open; "
                         f"{fmt(sizes['sweep_due'] / large, 'stages/s')} at the large size")]

    step("list", "list walk (small)", list_small)
    if sizes["list_large"] != sizes["sweep_small"]:
        raise SystemExit("bench sizes: list_large must equal sweep_small (the datasets are shared)")
    step("list", "list walk (large)", list_large)
    step("sweep", "deadline sweep", sweep)
    step("notifications", "notification delivery", lambda: fig_notifications.notifications(sizes))
    step("aef", "AEF export", lambda: fig_aef.aef(sizes))
    step("register", "register CSV", lambda: fig_register.register_csv(sizes))
    step("make_test", "make test", lambda: fig_make_test.make_test(sizes, run=mode == "full"))

    elapsed = time.perf_counter() - started
    table = _table(rows)
    print(f"\nTierflow benchmark ({mode}, {elapsed:.0f} s, {platform.node()}, {os.cpu_count()} cores)\n")
    print(table)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    document = {"mode": mode, "finished": stamp, "seconds": elapsed, "sizes": sizes, "cpus": os.cpu_count(),
                "rows": [row.as_dict() for row in rows]}
    for path in (OUT_DIR / f"{mode}-{stamp}.json", OUT_DIR / f"latest-{mode}.json"):
        path.write_text(json.dumps(document, indent=2, default=str))
    (OUT_DIR / f"latest-{mode}.md").write_text(table + "\n")
    print(f"\nwritten: var/bench/{mode}-{stamp}.json (and latest-{mode}.json, latest-{mode}.md)")
