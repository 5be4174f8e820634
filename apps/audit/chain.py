"""What each link of the audit chain hashes, per chain version, and how the chain is recomputed.

Version 1 (the first events of a deployment that predates version 2) left `actor_id` out of the hash and
joined the subject into one string. Version 2 hashes every stored column but the row id and the hash itself:
`v`, `seq`, `at`, `actor_id`, `actor`, `event`, `subject_type`, `subject_id`, `party`, `data`, `prev`.
A version starts at a recorded head (a `ChainVersion` row written once, by the migration that introduced it):
events before it keep their version-1 hashes, nothing is re-hashed, and verification checks that the new
version's first event links to exactly that head. See docs/adr/0014-audit-chain-versions-start-at-a-recorded-head.md.
"""
from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime

GENESIS_HASH = "0" * 64
CURRENT_VERSION = 2


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_content(*, seq: int, at: datetime, actor_username: str, event: str, subject_type: str,
                      subject_id: str, party: str, data: dict, prev_hash: str, actor_id: int | None = None,
                      version: int = CURRENT_VERSION) -> bytes:
    if version == 1:
        payload = {"seq": seq, "at": at.isoformat(), "actor": actor_username, "event": event,
                   "subject": f"{subject_type}:{subject_id}", "party": party, "data": data, "prev": prev_hash}
    else:
        payload = {"v": version, "seq": seq, "at": at.isoformat(), "actor_id": actor_id, "actor": actor_username,
                   "event": event, "subject_type": subject_type, "subject_id": subject_id, "party": party,
                   "data": data, "prev": prev_hash}
    return _json(payload).encode()


def canonical_parts(*, at: datetime, actor_username: str, event: str, subject_type: str, subject_id: str,
                    party: str, data: dict, actor_id: int | None) -> tuple[str, str, str]:
    """The current version's `canonical_content` split around the two values only the chain head knows.

    prefix + prev_hash + middle + str(seq) + suffix is exactly canonical_content(...) decoded: the keys are
    sorted, so "prev" and "seq" come between "party" and "subject_id". PostgreSQL joins the parts.
    """
    head = _json({"actor": actor_username, "actor_id": actor_id, "at": at.isoformat(), "data": data, "event": event,
                  "party": party})
    tail = _json({"subject_id": subject_id, "subject_type": subject_type, "v": CURRENT_VERSION})
    return head[:-1] + ',"prev":"', '","seq":', "," + tail[1:]


class Versions:
    """Which chain version hashed event #seq, from the recorded version starts (oldest first)."""

    def __init__(self, starts):
        self.starts = sorted(starts, key=lambda start: start.first_seq)
        self._firsts = [start.first_seq for start in self.starts]

    @classmethod
    def load(cls) -> "Versions":
        from .models import ChainVersion

        return cls(ChainVersion.objects.all())

    def at(self, seq: int) -> int:
        # No recorded start at all: a database created with the current version (its migration wrote none).
        if not self.starts:
            return CURRENT_VERSION
        index = bisect_right(self._firsts, seq)
        return self.starts[index - 1].version if index else 1

    def starting_at(self, seq: int):
        index = bisect_right(self._firsts, seq)
        if index and self.starts[index - 1].first_seq == seq:
            return self.starts[index - 1]
        return None


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(batch_size: int = 5000) -> tuple[int, ChainBreak | None]:
    """Recompute every link in order; return the number checked and the first break, if any."""
    from .models import AuditEvent, ChainHead

    versions = Versions.load()
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    queryset = AuditEvent.objects.order_by("seq").values_list(
        "seq", "at", "actor_id", "actor_username", "event", "subject_type", "subject_id", "party", "data",
        "prev_hash", "hash")
    for seq, at, actor_id, actor, event, subject_type, subject_id, party, data, stored_prev, stored_hash in (
            queryset.iterator(chunk_size=batch_size)):
        if seq != expected_seq:
            return checked, ChainBreak(expected_seq, f"event #{expected_seq} is missing (next is #{seq})")
        start = versions.starting_at(seq)
        if start is not None and (start.anchor_seq, start.anchor_hash) != (seq - 1, prev_hash):
            return checked, ChainBreak(seq, f"chain version {start.version} does not start from the head it recorded "
                                            f"(#{start.anchor_seq} {start.anchor_hash})")
        if stored_prev != prev_hash:
            return checked, ChainBreak(seq, "its previous-hash does not match the event before it")
        digest = hashlib.sha256(canonical_content(
            seq=seq, at=at, actor_id=actor_id, actor_username=actor, event=event, subject_type=subject_type,
            subject_id=subject_id, party=party, data=data, prev_hash=stored_prev, version=versions.at(seq),
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


def check_recorded_head(seq: int, digest: str) -> ChainBreak | None:
    """A head noted outside Tierflow earlier (the daily log line, the auditors' page) must still be in the chain,
    with the same hash: deleting the tail and rewinding the head row passes `verify_chain` but not this."""
    from .models import AuditEvent

    stored = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if stored is None:
        last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        return ChainBreak(seq, f"the recorded head #{seq} is not in the log, which ends at #{last} (events deleted)")
    if stored != digest:
        return ChainBreak(seq, f"event #{seq} no longer has the recorded head's hash (history rewritten)")
    return None


def parse_head(value: str) -> tuple[int, str]:
    """`SEQ:HASH` (or `#SEQ HASH`, as verify_audit prints it)."""
    text = value.strip().lstrip("#").replace(" ", ":")
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"a head is SEQ:HASH (64 hex digits), not {value!r}")
    return int(seq), digest
