"""p50/p99 latency and queries per request of the application API at 100,000 applications.

Usage (a throw-away PostgreSQL database; it is filled, not cleaned):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tierflow_apibench DEBUG=1 \
        .venv/bin/python scripts/api_latency.py [--rows 100000] [--requests 200]
Rows are bulk-inserted (not through the services), with an audit event each and an open
stage for the submitted ones; requests go through the whole Django stack in-process.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from apps.audit.models import AuditEvent  # noqa: E402
from apps.authorizations.models import Application, Stage, State  # noqa: E402
from apps.accounts.demo import seed_demo_accounts  # noqa: E402
from apps.governance.demo import seed_reference_data  # noqa: E402
from apps.governance.models import Authority, Jurisdiction  # noqa: E402


def fill(rows: int) -> None:
    have = Application.objects.count()
    if have >= rows:
        return
    proponent = get_user_model().objects.get(username="proponent")
    organisation = proponent.organisations.first()
    sabah = Jurisdiction.objects.get(code="MY-12")
    authority = Authority.objects.get(jurisdiction__code="MY-12")
    now = timezone.now()
    batch = 5000
    for start in range(have, rows, batch):
        apps = [Application(
            reference=f"MYS-MY12-BENCH-{i:07d}", organisation=organisation, created_by=proponent, title=f"Bench {i}",
            host_party_id="MYS", jurisdiction=sabah, sector="Energy", mitigation_type="Reduction", activity_type="Solar",
            requested_quantity=1000 + i, vintage_from=2026, vintage_to=2030, purposes="NDC",
            first_transfer_definition="Authorization", state=State.LOA_REVIEW if i % 2 else State.DRAFT,
        ) for i in range(start, min(start + batch, rows))]
        Application.objects.bulk_create(apps)
        Stage.objects.bulk_create([Stage(application=a, duty="loa_issuance", authority=authority, opened_at=now,
                                         due_at=now + timedelta(days=30), escalate_at=now + timedelta(days=35))
                                   for a in apps if a.state == State.LOA_REVIEW])
        AuditEvent.objects.bulk_create([AuditEvent(
            seq=10_000_000 + int(a.reference[-7:]), at=now, actor_username="proponent", event="application.submit",
            subject_type="application", subject_id=a.reference, party="MYS",
            data={"transition": "submit", "from": "draft", "to": "loa_review", "comment": ""},
            prev_hash="0" * 64, hash=f"{int(a.reference[-7:]):064d}",
        ) for a in apps if a.state == State.LOA_REVIEW])
        print(f"  {start + len(apps)} rows", flush=True)


def measure(client, urls: list[str]) -> tuple[float, float, int]:
    times, queries = [], []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(captured))
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], max(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    seed_reference_data()
    seed_demo_accounts()
    fill(args.rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    references = list(Application.objects.filter(state=State.LOA_REVIEW).values_list("reference", flat=True)[:50_000])
    random.seed(5)
    print(f"{Application.objects.count()} applications")
    for username in ("proponent", "sabah.approver"):
        client = APIClient()
        client.force_authenticate(get_user_model().objects.get(username=username))
        client.get("/api/v1/applications/")  # warm up
        detail = measure(client, [f"/api/v1/applications/{random.choice(references)}/" for _ in range(args.requests)])
        first = measure(client, ["/api/v1/applications/"] * args.requests)
        # a deep page: follow next links
        url, deep = "/api/v1/applications/?page_size=50", []
        for _ in range(args.requests):
            deep.append(url)
            url = client.get(url).json()["next"]
        walk = measure(client, deep)
        filtered = measure(client, ["/api/v1/applications/?state=loa_review&duty=loa_issuance&overdue=false"] * (args.requests // 2))
        for name, (p50, p99, q) in [("detail", detail), ("list, first page (50)", first), ("list, pages 1-N via cursor", walk),
                                    ("list, filtered", filtered)]:
            print(f"{username:15} {name:28} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  queries {q}")


if __name__ == "__main__":
    main()
