"""Reads shaped for the API: the caller resolved in one query, the application detail in one more.

With the token lookup that makes three statements for `GET /api/v1/applications/{reference}/`.
"""
from __future__ import annotations

from datetime import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, FilteredRelation, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import JSONObject

from apps.audit.models import AuditEvent
from apps.authorizations.models import Application, Stage
from apps.authorizations.permissions import Seat, visible_applications
from apps.governance.models import Membership, ProponentOrganisation

ORGANISATION, SEAT = 0, 1


def resolve_caller(user) -> None:
    """The caller's organisations and memberships in one query, left where the permission predicates read them.

    A no-op for anonymous users and for a user object already resolved (the predicates cache per object).
    """
    if not getattr(user, "is_authenticated", False):
        return
    if getattr(user, "_tierflow_seats", None) is not None and getattr(user, "_tierflow_organisations", None) is not None:
        return
    organisations = (ProponentOrganisation.members.through.objects.filter(user_id=user.pk)
                     .annotate(kind=Value(ORGANISATION, output_field=IntegerField()), role=Value(""), path=Value(""))
                     .values_list("kind", "proponentorganisation_id", "role", "path"))
    seats = (Membership.objects.filter(user_id=user.pk)
             .annotate(kind=Value(SEAT, output_field=IntegerField()), path=F("authority__jurisdiction__path"))
             .values_list("kind", "authority_id", "role", "path"))
    rows = list(organisations.union(seats, all=True))
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
