"""Bulk seed data, set-based in PostgreSQL (generate_series), never through the services.

Seeded applications are `BENCH-00000001`… for the demo proponent's organisation in Sabah (MY-12),
in `loa_review` with one open stage at the Sabah Forestry Department, due in 30 days unless marked due.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import connection, transaction

from apps.authorizations.models import Application, Stage
from apps.governance.demo import PROPONENT_ORGANISATION
from apps.governance.models import Authority, ProponentOrganisation

FAR = timedelta(days=30)


def _other_columns(model, named: str, listed: str) -> tuple[str, str, dict]:
    """Columns the seed SQL does not name (added by later issues), filled with their model defaults."""
    listed_columns = {c.strip() for c in listed.split(",")}
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.column not in listed_columns]
    columns = "".join(f", {connection.ops.quote_name(f.column)}" for f in fields)
    values = "".join(f", %({named}_{i})s" for i, _ in enumerate(fields))
    params = {f"{named}_{i}": f.get_db_prep_save(f.get_default(), connection) for i, f in enumerate(fields)}
    return columns, values, params


APPLICATION_COLUMNS = """reference, organisation_id, created_by_id, title, description, host_party_id, jurisdiction_id,
    sector, mitigation_type, activity_type, requested_quantity, vintage_from, vintage_to, purposes,
    first_transfer_definition, host_registry_id, local_partner, benefit_sharing_plan, state, created_at, updated_at"""
STAGE_COLUMNS = """application_id, duty, authority_id, escalation_authority_id, opened_at, due_at, escalate_at,
    next_check_at, escalation_level, next_tier_may_act, closed_at"""


def _ids() -> dict:
    organisation = ProponentOrganisation.objects.get(name=PROPONENT_ORGANISATION)
    return {
        "organisation": organisation.pk,
        "creator": organisation.members.order_by("pk").first().pk,
        "sabah": Authority.objects.get(jurisdiction_id="MY-12").pk,
        "federal": Authority.objects.get(jurisdiction_id="MY").pk,
    }


def seeded_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authorizations_application WHERE reference LIKE 'BENCH-%%'")
        return cursor.fetchone()[0]


def grow_applications(total: int, *, now: datetime, due: int = 0, state: str = "loa_review") -> int:
    """Add seeded applications (each with an open stage) until there are `total`; `due` of the new ones are overdue.

    Returns how many were added. One INSERT … SELECT generate_series per table, in batches.
    """
    ids = _ids()
    start = seeded_count() + 1
    added = 0
    batch = 250_000
    app_columns, app_values, app_params = _other_columns(Application, "app", APPLICATION_COLUMNS)
    stage_columns, stage_values, stage_params = _other_columns(Stage, "stage", STAGE_COLUMNS)
    with _bulk_loading(total - start + 1):
        while start <= total:
            end = min(total, start + batch - 1)
            with transaction.atomic(), connection.cursor() as cursor:
                # Seeding only, valid by construction: no per-row foreign-key triggers, no waiting on the WAL flush.
                cursor.execute("SET LOCAL synchronous_commit TO off")
                cursor.execute("SET LOCAL session_replication_role TO replica")
                cursor.execute(
                    """
                    WITH added AS (
                        INSERT INTO authorizations_application
                            ({APPLICATION_COLUMNS}{app_columns})
                        SELECT 'BENCH-' || lpad(i::text, 8, '0'), %(organisation)s, %(creator)s, 'Seeded restoration ' || i,
                               'Seeded for the benchmark', 'MYS', 'MY-12', 'Forestry and other land use', 'Removal',
                               'Afforestation, reforestation and revegetation', 100000, 2026, 2030, 'NDC',
                               'First international transfer', 'REG-' || i, 'Local partner', 'Benefit sharing', %(state)s,
                               %(now)s - make_interval(secs => %(total)s - i), %(now)s{app_values}
                        FROM generate_series(%(start)s, %(end)s) AS i
                        RETURNING id
                    )
                    INSERT INTO authorizations_stage
                        ({STAGE_COLUMNS}{stage_columns})
                    SELECT id, 'loa_issuance', %(sabah)s, %(federal)s, %(now)s - interval '1 day', %(now)s + %(far)s,
                           %(now)s + %(far)s + interval '5 days', %(now)s + %(far)s, 0, false, NULL{stage_values}
                    FROM added
                    """.format(APPLICATION_COLUMNS=APPLICATION_COLUMNS, STAGE_COLUMNS=STAGE_COLUMNS, app_columns=app_columns,
                               app_values=app_values, stage_columns=stage_columns, stage_values=stage_values),
                    {**ids, **app_params, **stage_params, "state": state, "now": now, "far": FAR, "start": start, "end": end,
                     "total": total},
                )
            added += end - start + 1
            start = end + 1
    if due:
        mark_due(due, first=total - added + 1, last=total, now=now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE authorizations_application")
        cursor.execute("ANALYZE authorizations_stage")
    return added


@contextmanager
def _bulk_loading(rows: int):
    """For a large load, drop the secondary indexes of the two tables and build them again afterwards.

    The standard bulk-load technique: building an index once is far cheaper than maintaining it row by
    row. Constraint-backed indexes (primary keys, unique references) stay. The schema is the same after.
    """
    if rows < 50_000:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT indexname, indexdef FROM pg_indexes i
            WHERE tablename IN ('authorizations_application', 'authorizations_stage')
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem TO '256MB'")
            for _, definition in indexes:
                cursor.execute(definition)


def mark_due(count: int, *, first: int, last: int, now: datetime) -> None:
    """Make `count` stages of applications first..last overdue, spread evenly over the range."""
    step = max(1, (last - first + 1) // count)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE authorizations_stage s SET due_at = %(now)s - interval '1 day', next_check_at = %(now)s - interval '1 day'
            FROM authorizations_application a
            WHERE s.application_id = a.id AND s.closed_at IS NULL
              AND a.reference IN (SELECT 'BENCH-' || lpad(i::text, 8, '0') FROM generate_series(%(first)s, %(last)s, %(step)s) i LIMIT %(count)s)
            """,
            {"now": now, "first": first, "last": last, "step": step, "count": count},
        )



def seed_drafts(count: int, tag: str, *, now: datetime) -> list[int]:
    """`count` complete drafts (acquiring Party KOR) ready to submit; returns their ids."""
    ids = _ids()
    app_columns, app_values, app_params = _other_columns(Application, "app", APPLICATION_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        # Ids far above anything else in the run, so a replayed statement's id parameter is unambiguous.
        cursor.execute("SELECT setval(pg_get_serial_sequence('authorizations_application', 'id'), "
                       "greatest(10000000, (SELECT coalesce(max(id), 0) FROM authorizations_application)))")
        cursor.execute(
            """
            INSERT INTO authorizations_application ({APPLICATION_COLUMNS}{app_columns})
            SELECT %(tag)s || '-' || lpad(i::text, 6, '0'), %(organisation)s, %(creator)s, 'Chain ' || i,
                   'Seeded for the benchmark', 'MYS', 'MY-12', 'Forestry and other land use', 'Removal',
                   'Afforestation, reforestation and revegetation', 100000, 2026, 2030, 'NDC',
                   'First international transfer', 'REG-' || i, 'Local partner', 'Benefit sharing', 'draft', %(now)s, %(now)s
                   {app_values}
            FROM generate_series(1, %(count)s) AS i
            RETURNING id
            """.format(APPLICATION_COLUMNS=APPLICATION_COLUMNS, app_columns=app_columns, app_values=app_values),
            {**ids, **app_params, "tag": tag, "count": count, "now": now},
        )
        application_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "INSERT INTO authorizations_application_acquiring_parties (application_id, party_id) "
            "SELECT unnest(%s::bigint[]), 'KOR'",
            [application_ids],
        )
    return sorted(application_ids)
