"""Build a consistent synthetic ledger of N actions, then time check_ledger and measure the AEF exports.

    DATABASE_URL=postgres://.../tierflow_ledger_volume python scripts/ledger_volume.py --actions 100000

Every third action is an issuance of 10 ITMOs, then a first transfer of the front 4 to Korea and its
Acquisition, written with bulk inserts (the services would take minutes for 100,000 actions, and what is
measured here is reading, not writing). Each export runs in a fresh process so its peak RSS is its own.
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402


def build(actions: int) -> None:
    from apps.authorizations.models import Application
    from apps.accounts.demo import seed_demo_accounts
    from apps.governance.demo import seed_reference_data
    from bench.fig_aef import write_rounds
    from tests.factories import make_application

    call_command("migrate", verbosity=0)
    seed_reference_data()
    seed_demo_accounts()
    rounds = actions // 3
    application = make_application(get_user_model().objects.get(username="proponent"), state="authorized",
                                   requested_quantity=rounds * 10, sector="Forestry and land use", mitigation_type="Removals")
    Application.objects.filter(pk=application.pk).update(cooperative_approach_id="CA0001")
    write_rounds(Application.objects.get(pk=application.pk), rounds=rounds, at0=timezone.now().replace(month=6, day=1))


def export_once(fmt: str, year: int) -> None:
    from apps.reporting.services import export_aef

    tracemalloc.start()
    started = time.monotonic()
    with open(os.devnull, "wb") if fmt != "xlsx" else io.BytesIO() as sink:
        if fmt == "xlsx":
            import tempfile
            sink = tempfile.TemporaryFile()
        rows = export_aef(party="MYS", year=year, fmt=fmt, stream=sink)
    elapsed = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"export {fmt}: {rows} rows in {elapsed:.2f}s, python peak {peak / 2**20:.1f} MiB, max RSS {rss:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--export-only", choices=["csv", "xlsx", "json"])
    args = parser.parse_args()
    year = timezone.now().year
    if args.export_only:
        export_once(args.export_only, year)
        return
    started = time.monotonic()
    build(args.actions)
    print(f"built {args.actions} actions in {time.monotonic() - started:.1f}s")
    started = time.monotonic()
    call_command("check_ledger")
    print(f"check_ledger: {time.monotonic() - started:.2f}s")
    for fmt in ("csv", "xlsx", "json"):
        subprocess.run([sys.executable, __file__, "--export-only", fmt], check=True)


if __name__ == "__main__":
    main()
