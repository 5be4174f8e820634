"""Appending to and verifying the audit chain.

The one way to write: `record_event(event=..., subject_type=..., subject_id=..., acting_user=..., party=..., data=...)`
inside the transaction that made the change. Event names are `<subject>.<verb>`, each spelled once: an
`events.Event` member or a workflow transition (`application.issue_loa`); anything else is refused.
"""
from __future__ import annotations

import csv
import hashlib
import json
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .chain import GENESIS_HASH, ChainBreak, Versions, canonical_content, canonical_parts, check_recorded_head, verify_chain  # noqa: F401
from .events import Event, UnknownEvent, is_known
from .models import AuditEvent, ChainHead, VerificationRun

# One statement appends a link: lock the head, hash in SQL (sha256() is built into PostgreSQL >= 11),
# insert the event and move the head. See docs/adr/0010-audit-append-in-one-statement.md.
_APPEND_SQL = """
WITH head AS (
    SELECT seq, hash FROM {head} WHERE id = 1 FOR UPDATE
), link AS (
    SELECT seq + 1 AS seq, hash AS prev_hash,
           encode(sha256(convert_to(%(prefix)s || hash || %(middle)s || (seq + 1)::text || %(suffix)s, 'UTF8')), 'hex') AS hash
    FROM head
), appended AS (
    INSERT INTO {event} (seq, at, actor_id, actor_username, event, subject_type, subject_id, party, data, prev_hash, hash)
    SELECT link.seq, %(at)s, %(actor_id)s, %(actor_username)s, %(event)s, %(subject_type)s, %(subject_id)s, %(party)s,
           %(data)s::jsonb, link.prev_hash, link.hash
    FROM link
    RETURNING id, seq, prev_hash, hash
), moved AS (
    UPDATE {head} SET seq = appended.seq, hash = appended.hash FROM appended WHERE {head}.id = 1
)
SELECT id, seq, prev_hash, hash FROM appended
"""


def record_event(*, event: str, subject_type: str, subject_id: str | int, acting_user=None, party: str = "",
                 data: dict | None = None, at: datetime | None = None) -> AuditEvent:
    """Append one event to the chain; must run inside the transaction that made the change.

    One SQL statement (the head row's lock serialises appends); the hash PostgreSQL computes is
    byte-for-byte `sha256(canonical_content(...))`, which `verify_chain` recomputes in Python.
    """
    if not is_known(event):
        raise UnknownEvent(f"{event!r} is not an audit event type: add it to apps.audit.events.Event")
    connection = transaction.get_connection()
    assert connection.in_atomic_block, "audit events are written in the change's transaction"
    at = at or timezone.now()
    data = json.loads(json.dumps(data or {}, default=str))  # what is hashed is exactly what is stored
    fields = dict(at=at, actor_username=getattr(acting_user, "username", "") or "", event=event,
                  subject_type=subject_type, subject_id=str(subject_id), party=party, data=data)
    actor_id = getattr(acting_user, "pk", None)
    prefix, middle, suffix = canonical_parts(**fields, actor_id=actor_id)
    params = {**fields, "prefix": prefix, "middle": middle, "suffix": suffix, "actor_id": actor_id,
              "data": json.dumps(data, ensure_ascii=False)}
    if connection.vendor != "postgresql":
        return _record_event_portably(acting_user=acting_user, actor_id=actor_id, fields=fields)
    sql = _APPEND_SQL.format(head=ChainHead._meta.db_table, event=AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:  # the very first event: there is no head row yet
            # INSERT … ON CONFLICT DO NOTHING: two first events at once wait for each other instead of one failing.
            ChainHead.objects.bulk_create([ChainHead(pk=1)], ignore_conflicts=True)
            cursor.execute(sql, params)
            row = cursor.fetchone()
    pk, seq, prev_hash, digest = row
    audit_event = AuditEvent(id=pk, seq=seq, prev_hash=prev_hash, hash=digest,
                             actor=acting_user if actor_id else None, **fields)
    audit_event._state.adding = False
    audit_event._state.db = connection.alias
    return audit_event


def _record_event_portably(*, acting_user, actor_id, fields: dict) -> AuditEvent:
    """The same link in three ORM statements, for SQLite (`make run`), which has no sha256()."""
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    fields = dict(fields, seq=head.seq + 1, prev_hash=head.hash)
    digest = hashlib.sha256(canonical_content(**fields, actor_id=actor_id)).hexdigest()
    audit_event = AuditEvent.objects.create(actor=acting_user if getattr(acting_user, "pk", None) else None, hash=digest, **fields)
    ChainHead.objects.filter(pk=1).update(seq=fields["seq"], hash=digest)
    return audit_event


def record_token_event(*, event: str, acting_user, token_owner, token_id: str | int, label: str = "",
                       data: dict | None = None) -> AuditEvent:
    """A token created or revoked (`Event.TOKEN_CREATED` or `TOKEN_REVOKED`); never records the secret."""
    if event not in (Event.TOKEN_CREATED, Event.TOKEN_REVOKED):
        raise UnknownEvent(f"{event!r} is not a token event")
    with transaction.atomic():
        return record_event(event=event, subject_type="user", subject_id=getattr(token_owner, "username", token_owner),
                            acting_user=acting_user, data={"token": str(token_id), "label": label, **(data or {})})


def record_export(*, acting_user, what: str, party: str = "", parameters: dict | None = None, rows: int | None = None) -> AuditEvent:
    """Someone took data out of the system: a report (`what="aef"`), an audit extract (`what="audit"`), ...."""
    event = Event.AUDIT_EXPORTED if what == "audit" else Event.REPORT_EXPORTED
    with transaction.atomic():
        return record_event(event=event, subject_type="export", subject_id=what, acting_user=acting_user, party=party,
                            data={"parameters": parameters or {}, "rows": rows})


def verify_and_record(*, requested_by: str = "", recorded_head: tuple[int, str] | None = None) -> VerificationRun:
    """Recompute the whole chain and keep the outcome, so the admin can show when it last held; with
    `recorded_head` (seq, hash) noted outside Tierflow earlier, also check that it is still in the chain."""
    started = timezone.now()
    head = ChainHead.objects.filter(pk=1).first()
    checked, chain_break = verify_chain()
    if chain_break is None and recorded_head is not None:
        chain_break = check_recorded_head(*recorded_head)
    return VerificationRun.objects.create(
        started_at=started, finished_at=timezone.now(), checked=checked,
        head_seq=head.seq if head else 0, head_hash=head.hash if head else GENESIS_HASH,
        ok=chain_break is None, broken_seq=chain_break.seq if chain_break else None,
        reason=chain_break.reason if chain_break else "", requested_by=requested_by,
    )


# --- auditor extracts --------------------------------------------------------

EXPORT_FIELDS = ["v", "seq", "at", "actor_id", "actor", "event", "subject_type", "subject_id", "subject", "party", "data",
                 "prev_hash", "hash"]


def events_for(*, application: str | None = None, party: str | None = None, everything: bool = False):
    """The events of one application (by reference) or of one Party (by alpha-3 code), oldest first;
    `everything=True`: the whole chain, so the links between rows can be checked too."""
    if everything:
        return AuditEvent.objects.order_by("seq")
    if bool(application) == bool(party):
        raise ValueError("name exactly one of an application reference or a Party code")
    if application:
        return AuditEvent.objects.filter(subject_type="application", subject_id=application).order_by("seq")
    return AuditEvent.objects.filter(party=party.upper()).order_by("seq")


def export_row(event: AuditEvent, versions: Versions | None = None) -> dict:
    """One event as exported: every hashed field and its chain version `v`, so each row can be re-hashed on its own."""
    return {
        "v": (versions or Versions.load()).at(event.seq), "seq": event.seq, "at": event.at.isoformat(),
        "actor_id": event.actor_id, "actor": event.actor_username, "event": event.event,
        "subject_type": event.subject_type, "subject_id": event.subject_id,
        "subject": f"{event.subject_type}:{event.subject_id}", "party": event.party, "data": event.data,
        "prev_hash": event.prev_hash, "hash": event.hash,
    }


def row_hash(row: dict) -> str:
    """What an auditor recomputes from an exported row (see SECURITY.md); equals the row's `hash` if untouched."""
    version = int(row.get("v", 1))
    subject_type, _, subject_id = row["subject"].partition(":")
    actor_id = row.get("actor_id")
    if isinstance(actor_id, str):  # a CSV cell
        actor_id = int(actor_id) if actor_id else None
    return hashlib.sha256(canonical_content(
        seq=row["seq"], at=datetime.fromisoformat(row["at"]), actor_id=actor_id, actor_username=row["actor"],
        event=row["event"], subject_type=row.get("subject_type", subject_type), subject_id=row.get("subject_id", subject_id),
        party=row["party"], data=row["data"], prev_hash=row["prev_hash"], version=version,
    )).hexdigest()


def write_export(events, *, fmt: str, stream) -> int:
    """Write events as CSV (data as canonical JSON in one column) or as a JSON array; returns rows written."""
    if fmt not in {"csv", "json"}:
        raise ValueError(f"format must be csv or json, not {fmt!r}")
    rows = 0
    versions = Versions.load()
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        for event in events.iterator(chunk_size=2000):
            row = export_row(event, versions)
            row["data"] = json.dumps(row["data"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            writer.writerow(row)
            rows += 1
        return rows
    stream.write("[")
    for event in events.iterator(chunk_size=2000):
        stream.write(("," if rows else "") + "\n" + json.dumps(export_row(event, versions), sort_keys=True, ensure_ascii=False))
        rows += 1
    stream.write("\n]\n")
    return rows
