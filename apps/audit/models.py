"""The append-only, hash-chained record of everything that happened."""
from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One event. `hash` = SHA-256 over the canonical content and the previous event's hash.

    PostgreSQL refuses UPDATE and DELETE on this table; `verify_audit` recomputes the chain.
    """

    seq = models.BigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True, editable=False)
    event = models.CharField(max_length=60, editable=False)
    subject_type = models.CharField(max_length=60, editable=False)
    subject_id = models.CharField(max_length=64, editable=False)
    party = models.CharField(max_length=3, blank=True, editable=False)
    data = models.JSONField(default=dict, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "seq"], name="audit_subject_idx")]
        triggers = [
            pgtrigger.Protect(name="audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event} {self.subject_type}:{self.subject_id}"


class ChainHead(models.Model):
    """The single row that serialises appends: whoever holds its lock writes the next link."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)


class ChainVersion(models.Model):
    """Where a version of the chain's hashing begins: written once, at the head recorded when it was introduced.

    Events from `first_seq` on are hashed by `version` (apps/audit/chain.py); the event before them must be
    #`anchor_seq` with hash `anchor_hash`, so the switch can be neither moved nor used to re-hash history.
    """

    version = models.PositiveSmallIntegerField(unique=True)
    first_seq = models.BigIntegerField(unique=True)
    anchor_seq = models.BigIntegerField()
    anchor_hash = models.CharField(max_length=64)
    started_at = models.DateTimeField()

    class Meta:
        ordering = ["first_seq"]
        triggers = [
            pgtrigger.Protect(name="chain_version_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"version {self.version} from #{self.first_seq} (after #{self.anchor_seq} {self.anchor_hash[:12]}…)"


class VerificationRun(models.Model):
    """One run of `verify_audit`: when, how far the chain was checked, and whether it held."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    checked = models.BigIntegerField(help_text="Events whose hash was recomputed and matched.")
    head_seq = models.BigIntegerField(help_text="The chain head's sequence number when the run started.")
    head_hash = models.CharField(max_length=64)
    ok = models.BooleanField()
    broken_seq = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    requested_by = models.CharField(max_length=150, blank=True, help_text="Who ran it (empty: the scheduler or a shell).")

    class Meta:
        ordering = ["-started_at", "-id"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        outcome = "intact" if self.ok else f"broken at #{self.broken_seq}"
        return f"{self.started_at:%Y-%m-%d %H:%M} · {self.checked} events · {outcome}"
