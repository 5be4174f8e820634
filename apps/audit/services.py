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


def record_event(*, event: str, subject_type: str, subject_id: str | int, acting_user=None, party: str = "",
                 data: dict | None = None, at: datetime | None = None) -> AuditEvent:
    """Append one event to the chain; must run inside the transaction that made the change."""
    assert transaction.get_connection().in_atomic_block, "audit events are written in the change's transaction"
    at = at or timezone.now()
    data = json.loads(json.dumps(data or {}, default=str))  # what is hashed is exactly what is stored
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    fields = dict(
        seq=head.seq + 1, at=at, actor_username=getattr(acting_user, "username", "") or "", event=event,
        subject_type=subject_type, subject_id=str(subject_id), party=party, data=data, prev_hash=head.hash,
    )
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
