"""Reads shaped for the API: the caller resolved in one statement, the application detail in one more (PostgreSQL).

With a `Token` credential the caller comes with the token (one statement), so
`GET /api/v1/applications/{reference}/` takes two; with a personal token or a session, three.
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection

from apps.audit.models import AuditEvent
from apps.authorizations.models import Application, LetterOfAuthorization, Stage
from apps.governance.models import Authority, Jurisdiction, Membership, ProponentOrganisation
from apps.permissions import can_view, remember_caller, resolve_caller


@cache
def _token_sql() -> str:
    """DRF's token and its user, with the user's organisations and memberships, in one fixed-text statement."""
    from rest_framework.authtoken.models import Token

    members = ProponentOrganisation.members.through._meta.db_table
    token, user, membership, authority, jurisdiction = (
        m._meta.db_table for m in (Token, get_user_model(), Membership, Authority, Jurisdiction))
    return (f'SELECT t.key AS x_key, t.created AS x_created, u.*, '
            f'ARRAY(SELECT m.proponentorganisation_id FROM "{members}" m WHERE m.user_id = u.id) AS x_organisations, '
            f'(SELECT jsonb_agg(jsonb_build_array(s.authority_id, s.role, j.path, j.party_id) ORDER BY s.authority_id, s.role) FROM "{membership}" s '
            f'JOIN "{authority}" a ON a.id = s.authority_id JOIN "{jurisdiction}" j ON j.code = a.jurisdiction_id '
            f'WHERE s.user_id = u.id) AS x_seats '
            f'FROM "{token}" t JOIN "{user}" u ON u.id = t.user_id WHERE t.key = %s')


def token_with_caller(key: str):
    """The `Token` with its user, the user's seats already resolved; None if no such token (PostgreSQL only)."""
    from rest_framework.authtoken.models import Token

    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [key])
        columns = [column.name for column in cursor.description]
        row = cursor.fetchone()
    if row is None:
        return None
    values = dict(zip(columns, row))
    fields = get_user_model()._meta.concrete_fields
    user = get_user_model().from_db(connection.alias, [f.attname for f in fields], [values[f.column] for f in fields])
    remember_caller(user, values["x_organisations"], json.loads(values["x_seats"]) if values["x_seats"] else [])
    token = Token.from_db(connection.alias, ["key", "user_id", "created"], [values["x_key"], user.pk, values["x_created"]])
    token.user = user
    return token


@cache
def _detail_sql() -> str:
    """One statement, fixed text: the application row and, as JSON columns, everything the detail shows.

    Fixed SQL skips the ORM's compilation of a 9-relation select_related (longer than the query runs).
    """
    t = {name: model._meta.db_table for name, model in {
        "application": Application, "organisation": ProponentOrganisation, "jurisdiction": Jurisdiction,
        "letter": LetterOfAuthorization, "authority": Authority, "user": get_user_model(), "stage": Stage,
        "event": AuditEvent, "acquiring": Application.acquiring_parties.through}.items()}
    return f"""
SELECT a.*,
  (SELECT to_jsonb(o) FROM "{t['organisation']}" o WHERE o.id = a.organisation_id) AS x_organisation,
  (SELECT to_jsonb(j) FROM "{t['jurisdiction']}" j WHERE j.code = a.jurisdiction_id) AS x_jurisdiction,
  (SELECT jsonb_build_object('letter', to_jsonb(l), 'authority', to_jsonb(la), 'ca_authority', to_jsonb(ca),
                             'issued_by', jsonb_build_object('id', u.id, 'username', u.username))
     FROM "{t['letter']}" l JOIN "{t['authority']}" la ON la.id = l.issuing_authority_id JOIN "{t['user']}" u ON u.id = l.issued_by_id
     LEFT JOIN "{t['authority']}" ca ON ca.id = l.ca_approved_by_authority_id
    WHERE l.id = a.loa_id) AS x_letter,
  (SELECT jsonb_agg(to_jsonb(v) ORDER BY v.version) FROM "{t['letter']}" v WHERE v.application_id = a.id) AS x_letters,
  (SELECT jsonb_agg(jsonb_build_object('stage', to_jsonb(s), 'authority', to_jsonb(sa), 'escalation_authority', to_jsonb(ea)) ORDER BY s.id)
     FROM "{t['stage']}" s JOIN "{t['authority']}" sa ON sa.id = s.authority_id LEFT JOIN "{t['authority']}" ea ON ea.id = s.escalation_authority_id
    WHERE s.application_id = a.id) AS x_stages,
  ARRAY(SELECT p.party_id FROM "{t['acquiring']}" p WHERE p.application_id = a.id ORDER BY p.party_id) AS x_acquiring,
  (SELECT jsonb_agg(jsonb_build_object('data', e.data, 'actor_username', e.actor_username, 'at', e.at) ORDER BY e.seq)
     FROM "{t['event']}" e WHERE e.subject_type = 'application' AND e.subject_id = a.reference AND e.data ? 'transition') AS x_history
FROM "{t['application']}" a WHERE a.reference = %s"""


def _instance(model, row: dict | None, fields=None):
    """A model instance from a to_jsonb() row, as if loaded by the ORM (values through each field's to_python)."""
    if row is None:
        return None
    fields = fields or [field for field in model._meta.concrete_fields if field.attname in row]
    return model.from_db(connection.alias, [f.attname for f in fields], [f.to_python(row[f.attname]) for f in fields])


def application_detail(user, reference: str) -> Application | None:
    """The application if the caller may see it (`can_view`, the rule `visible_applications` filters by), else None."""
    resolve_caller(user)
    with connection.cursor() as cursor:
        cursor.execute(_detail_sql(), [reference])
        columns = [column.name for column in cursor.description]
        row = cursor.fetchone()
    if row is None:
        return None
    values = dict(zip(columns, row))
    decode = lambda name: None if values[name] is None else json.loads(values[name])  # noqa: E731  (jsonb arrives as text)
    fields = Application._meta.concrete_fields
    application = Application.from_db(connection.alias, [f.attname for f in fields], [values[f.column] for f in fields])
    application.organisation = _instance(ProponentOrganisation, decode("x_organisation"))
    application.jurisdiction = _instance(Jurisdiction, decode("x_jurisdiction"))
    if not can_view(user, application):
        return None
    loa = decode("x_letter")
    letter = None
    if loa is not None:
        letter = _instance(LetterOfAuthorization, loa["letter"])
        letter.issuing_authority = _instance(Authority, loa["authority"])
        letter.issued_by = _instance(get_user_model(), loa["issued_by"])  # id and username; nothing else is shown
        letter.ca_approved_by_authority = _instance(Authority, loa["ca_authority"])
    Application._meta.get_field("loa").set_cached_value(application, letter)  # None too: no query when read
    stages = []
    for entry in decode("x_stages") or []:
        stage = _instance(Stage, entry["stage"])
        stage.authority = _instance(Authority, entry["authority"])
        stage.escalation_authority = _instance(Authority, entry["escalation_authority"])
        stages.append(stage)
    versions = [_instance(LetterOfAuthorization, row) for row in decode("x_letters") or []]
    # Where open_stage_of, the revoke predicate and the letter's `versions` look.
    application._prefetched_objects_cache = {"stages": stages, "letters": versions}
    application._open_stage = next((stage for stage in stages if stage.closed_at is None), None)
    application.acquiring_codes = list(values["x_acquiring"])
    application.transition_history = [
        {**entry, "at": datetime.fromisoformat(entry["at"])} for entry in decode("x_history") or []]
    return application
