"""Reads shaped for the API: the caller resolved in one query, the application detail in one more.

With the token lookup that makes three statements for `GET /api/v1/applications/{reference}/`.
"""
from __future__ import annotations

from datetime import datetime
from functools import cache

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import F, FilteredRelation, OuterRef, Q, QuerySet
from django.db.models.functions import JSONObject

from apps.audit.models import AuditEvent
from apps.authorizations.models import Application, Stage
from apps.authorizations.permissions import Seat, visible_applications
from apps.governance.models import Authority, Jurisdiction, Membership, ProponentOrganisation

ORGANISATION, SEAT = 0, 1


@cache
def _caller_sql() -> str:
    """Fixed SQL text, built once from the models' tables: the ORM's union compiles for longer than it runs."""
    members = ProponentOrganisation.members.through._meta.db_table
    membership, authority, jurisdiction = (m._meta.db_table for m in (Membership, Authority, Jurisdiction))
    return (f'SELECT {ORGANISATION}, m.proponentorganisation_id, \'\', \'\' FROM "{members}" m WHERE m.user_id = %s '
            f'UNION ALL SELECT {SEAT}, s.authority_id, s.role, j.path FROM "{membership}" s '
            f'JOIN "{authority}" a ON a.id = s.authority_id JOIN "{jurisdiction}" j ON j.code = a.jurisdiction_id '
            f'WHERE s.user_id = %s')


def resolve_caller(user) -> None:
    """The caller's organisations and memberships in one query, left where the permission predicates read them.

    A no-op for anonymous users and for a user object already resolved (the predicates cache per object).
    """
    if not getattr(user, "is_authenticated", False):
        return
    if getattr(user, "_tierflow_seats", None) is not None and getattr(user, "_tierflow_organisations", None) is not None:
        return
    with connection.cursor() as cursor:
        cursor.execute(_caller_sql(), [user.pk, user.pk])
        rows = cursor.fetchall()
    user._tierflow_organisations = {pk for kind, pk, _, _ in rows if kind == ORGANISATION}
    user._tierflow_seats = [Seat(pk, role, path) for kind, pk, role, path in rows if kind == SEAT]


def _transition_history():
    """The application's transition events, oldest first, as JSON objects (one array column)."""
    events = (AuditEvent.objects.filter(subject_type="application", subject_id=OuterRef("reference"), data__has_key="transition")
              .order_by("seq").values(entry=JSONObject(data=F("data"), actor_username=F("actor_username"), at=F("at"))))
    return ArraySubquery(events)


STAGE_FIELDS = [field for field in Stage._meta.concrete_fields]


def _stages():
    """Every stage of the application (the revoke predicate reads them all), as JSON objects in one array column."""
    stages = (Stage.objects.filter(application_id=OuterRef("pk")).order_by("id")
              .values(entry=JSONObject(**{field.attname: F(field.attname) for field in STAGE_FIELDS})))
    return ArraySubquery(stages)


def application_detail_queryset(user) -> QuerySet:
    """Visible applications with, in the same row, the open stage, the LoA, the acquiring Parties and the history."""
    queryset = (
        Application.objects
        .annotate(open_stage=FilteredRelation("stages", condition=Q(stages__closed_at__isnull=True)))
        .select_related("organisation", "jurisdiction", "loa__issuing_authority", "loa__issued_by",
                        "open_stage__authority", "open_stage__escalation_authority")
        .annotate(acquiring_codes=ArraySubquery(
                      Application.acquiring_parties.through.objects.filter(application_id=OuterRef("pk"))
                      .order_by("party_id").values("party_id")),
                  transition_history=_transition_history(), stage_rows=_stages())
    )
    resolve_caller(user)
    return visible_applications(user, queryset)


def unpack_detail(application: Application) -> Application:
    """Put the row's extras where the serializer and the predicates look: stages as a prefetch, history entries."""
    open_stage = getattr(application, "open_stage", None)  # at most one (a unique constraint); unset when none
    stages = []
    for row in application.stage_rows or []:
        if open_stage is not None and row["id"] == open_stage.pk:
            stages.append(open_stage)  # this one carries its authorities (select_related)
            continue
        values = [field.to_python(row[field.attname]) for field in STAGE_FIELDS]
        stages.append(Stage.from_db(application._state.db, [field.attname for field in STAGE_FIELDS], values))
    application._prefetched_objects_cache = {"stages": stages}
    application._open_stage = open_stage
    application.transition_history = [
        {**entry, "at": datetime.fromisoformat(entry["at"])} for entry in (application.transition_history or [])]
    return application
