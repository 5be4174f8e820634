"""Measure the deadline sweep over many open stages of which a few are due.

Usage (a scratch PostgreSQL database; it is filled with synthetic rows):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tierflow_sweep DEBUG=1 \
        .venv/bin/python scripts/measure_sweep.py --open 100000 --due-percent 1
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.authorizations.escalation import escalate_overdue_stages  # noqa: E402
from apps.authorizations.models import Application  # noqa: E402
from apps.accounts.demo import seed_demo_accounts  # noqa: E402
from apps.governance.demo import seed_reference_data  # noqa: E402
from apps.governance.models import Authority, ProponentOrganisation  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--due-percent", type=float, default=1.0)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Use a scratch PostgreSQL database (DATABASE_URL).")
    call_command("migrate", verbosity=0)
    seed_reference_data()
    seed_demo_accounts()
    organisation = ProponentOrganisation.objects.first()
    sabah = Authority.objects.get(jurisdiction_id="MY-12")
    federal = Authority.objects.get(jurisdiction_id="MY")
    proponent = organisation.members.first()
    now = timezone.now()
    due = int(options.open * options.due_percent / 100)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE authorizations_stage, notifications_notification RESTART IDENTITY")
        cursor.execute("DELETE FROM authorizations_application WHERE reference LIKE 'BENCH-%%'")
        given = {
            "reference": "'BENCH-' || g", "organisation_id": "%s", "created_by_id": "%s", "title": "'Bench ' || g",
            "host_party_id": "'MYS'", "jurisdiction_id": "'MY-12'", "sector": "'Forestry'", "mitigation_type": "'Removal'",
            "activity_type": "'ARR'", "requested_quantity": "1000", "vintage_from": "2026", "vintage_to": "2030",
            "purposes": "'NDC'", "first_transfer_definition": "'First international transfer'", "state": "'loa_review'",
            "created_at": "%s", "updated_at": "%s",
        }
        params = [organisation.pk, proponent.pk, now, now]
        # Every other column gets its model default, so fields added later by other features do not break this.
        for field in Application._meta.concrete_fields:
            if field.column in given or field.primary_key:
                continue
            given[field.column] = "%s"
            params.append(field.get_db_prep_save(field.get_default(), connection))
        columns = ", ".join(given)
        cursor.execute(
            f"INSERT INTO authorizations_application ({columns}) SELECT {', '.join(given.values())} FROM generate_series(1, %s) g",
            [*params, options.open],
        )
        # `due` stages are past their due time; the rest are due in 30 days.
        cursor.execute(
            """
            INSERT INTO authorizations_stage
                (application_id, duty, authority_id, escalation_authority_id, opened_at, due_at, escalate_at,
                 next_check_at, escalation_level, next_tier_may_act)
            SELECT a.id, 'loa_issuance', %s, %s, %s - interval '40 days',
                   CASE WHEN row_number() OVER (ORDER BY a.id) <= %s THEN %s - interval '1 hour' ELSE %s + interval '30 days' END,
                   %s + interval '60 days',
                   CASE WHEN row_number() OVER (ORDER BY a.id) <= %s THEN %s - interval '1 hour' ELSE %s + interval '30 days' END,
                   0, false
            FROM authorizations_application a WHERE a.reference LIKE 'BENCH-%%'
            """,
            [sabah.pk, federal.pk, now, due, now, now, now, due, now, now],
        )
        cursor.execute("ANALYZE authorizations_stage")
        print(f"set-up: {options.open} open stages, {due} due ({time.perf_counter() - started:.1f} s)")
        cursor.execute(
            """EXPLAIN (ANALYZE, FORMAT TEXT) SELECT id FROM authorizations_stage
               WHERE closed_at IS NULL AND next_check_at IS NOT NULL AND next_check_at <= %s ORDER BY next_check_at LIMIT 200""",
            [now],
        )
        plan = [row[0] for row in cursor.fetchall()]
    print("finding a batch of due stages:", plan[0].strip(), "|", plan[-1].strip())
    started = time.perf_counter()
    result = escalate_overdue_stages(now=now)
    elapsed = time.perf_counter() - started
    print(f"sweep: {result.escalated_to_supervisors} escalated in {elapsed:.2f} s "
          f"({elapsed / max(1, result.total) * 1000:.2f} ms per escalation incl. audit event and notifications)")
    started = time.perf_counter()
    again = escalate_overdue_stages(now=now)
    print(f"second sweep at the same moment: {again.total} escalated in {(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
