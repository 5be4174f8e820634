"""Configuration changes made in the admin go into the audit chain, in the admin's own transaction."""
from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from .services import record_event


def party_of(obj) -> str:
    """The Party a configuration object belongs to, where it has one."""
    for path in ("party_id", "host_party_id", "jurisdiction.party_id", "authority.jurisdiction.party_id"):
        value = obj
        try:
            for part in path.split("."):
                value = getattr(value, part)
        except Exception:  # noqa: BLE001 - an object without that relation simply has no Party there
            continue
        if isinstance(value, str):
            return value
    return obj.pk if obj._meta.model_name == "party" else ""


class AuditedAdmin(admin.ModelAdmin):
    """Adds an audit event beside each admin LogEntry: what changed, by whom, on which object."""

    def _audit(self, request, obj, verb: str, message) -> None:
        with transaction.atomic():
            record_event(
                event=f"config.{verb}", subject_type=obj._meta.label_lower, subject_id=str(obj.pk)[:64],
                acting_user=request.user, party=party_of(obj), data={"object": str(obj)[:200], "change": message},
            )

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._audit(request, obj, "added", message)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._audit(request, obj, "changed", message)
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            self._audit(request, obj, "deleted", [])
        return entries
