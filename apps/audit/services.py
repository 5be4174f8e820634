"""Appending to and verifying the audit chain."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .models import AuditEvent, ChainHead

GENESIS_HASH = "0" * 64


def canonical_content(*, seq: int, at: datetime, actor_username: str, event: str, subject_type: str,
                      subject_id: str, party: str, data: dict, prev_hash: str) -> bytes:
    payload = {
        "seq": seq, "at": at.isoformat(), "actor": actor_username, "event": event,
        "subject": f"{subject_type}:{subject_id}", "party": party, "data": data, "prev": prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def canonical_parts(*, at: datetime, actor_username: str, event: str, subject_type: str, subject_id: str,
                    party: str, data: dict) -> tuple[str, str, str]:
    """`canonical_content` split around the two values only the chain head knows (prev hash and seq).

    prefix + prev_hash + middle + str(seq) + suffix is exactly canonical_content(...) decoded: the keys
    are sorted, so "prev" and "seq" come between "party" and "subject". PostgreSQL joins the parts.
    """
    head = json.dumps(
        {"actor": actor_username, "at": at.isoformat(), "data": data, "event": event, "party": party},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str,
    )
    subject = json.dumps(f"{subject_type}:{subject_id}", ensure_ascii=False)
    return head[:-1] + ',"prev":"', '","seq":', ',"subject":' + subject + "}"


# One statement appends a link: lock the head, hash in SQL (sha256() is built into PostgreSQL >= 11),
# insert the event and move the head. See docs/adr/0080-issue8-audit-append-in-one-statement.md.
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
    connection = transaction.get_connection()
    assert connection.in_atomic_block, "audit events are written in the change's transaction"
    at = at or timezone.now()
    data = json.loads(json.dumps(data or {}, default=str))  # what is hashed is exactly what is stored
    fields = dict(at=at, actor_username=getattr(acting_user, "username", "") or "", event=event,
                  subject_type=subject_type, subject_id=str(subject_id), party=party, data=data)
    prefix, middle, suffix = canonical_parts(**fields)
    actor_id = getattr(acting_user, "pk", None)
    params = {**fields, "prefix": prefix, "middle": middle, "suffix": suffix, "actor_id": actor_id,
              "data": json.dumps(data, ensure_ascii=False)}
    if connection.vendor != "postgresql":
        return _record_event_portably(acting_user=acting_user, fields=fields)
    sql = _APPEND_SQL.format(head=ChainHead._meta.db_table, event=AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:  # the very first event: there is no head row yet
            ChainHead.objects.get_or_create(pk=1)
            cursor.execute(sql, params)
            row = cursor.fetchone()
    pk, seq, prev_hash, digest = row
    audit_event = AuditEvent(id=pk, seq=seq, prev_hash=prev_hash, hash=digest,
                             actor=acting_user if actor_id else None, **fields)
    audit_event._state.adding = False
    audit_event._state.db = connection.alias
    return audit_event


def _record_event_portably(*, acting_user, fields: dict) -> AuditEvent:
    """The same link in three ORM statements, for SQLite (`make run`), which has no sha256()."""
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    fields = dict(fields, seq=head.seq + 1, prev_hash=head.hash)
    digest = hashlib.sha256(canonical_content(**fields)).hexdigest()
    audit_event = AuditEvent.objects.create(actor=acting_user if getattr(acting_user, "pk", None) else None, hash=digest, **fields)
    ChainHead.objects.filter(pk=1).update(seq=fields["seq"], hash=digest)
    return audit_event


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(batch_size: int = 5000) -> tuple[int, ChainBreak | None]:
    """Recompute every link in order; return the number checked and the first break, if any."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    queryset = AuditEvent.objects.order_by("seq").values_list(
        "seq", "at", "actor_username", "event", "subject_type", "subject_id", "party", "data", "prev_hash", "hash"
    )
    for seq, at, actor, event, subject_type, subject_id, party, data, stored_prev, stored_hash in queryset.iterator(chunk_size=batch_size):
        if seq != expected_seq:
            return checked, ChainBreak(expected_seq, f"event #{expected_seq} is missing (next is #{seq})")
        if stored_prev != prev_hash:
            return checked, ChainBreak(seq, "its previous-hash does not match the event before it")
        digest = hashlib.sha256(canonical_content(
            seq=seq, at=at, actor_username=actor, event=event, subject_type=subject_type, subject_id=subject_id,
            party=party, data=data, prev_hash=stored_prev,
        )).hexdigest()
        if digest != stored_hash:
            return checked, ChainBreak(seq, "its content does not match its hash (edited after it was written)")
        prev_hash = stored_hash
        expected_seq += 1
        checked += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return checked, ChainBreak(checked + 1, f"the chain head says #{head.seq} but the log ends at #{checked} (events deleted)")
    return checked, None
