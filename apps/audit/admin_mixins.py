"""Configuration changes made in the admin go into the audit chain, in the admin's own transaction."""
from __future__ import annotations

import json

from django.contrib import admin
from django.db import transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from .services import record_event

# Values never copied into the history, only the fact that they changed (password hashes, second-factor keys).
SECRET_FIELDS = frozenset({"password", "key", "secret", "token", "session_key"})
HIDDEN = "•••"


def _shown(obj, field) -> str:
    """A field's value as a person reads it: the related object's name, the choice's label, "" for nothing."""
    if field.many_to_many:
        return ", ".join(sorted(str(related) for related in getattr(obj, field.name).all()))
    if field.is_relation:
        return str(getattr(obj, field.name)) if getattr(obj, field.attname) is not None else ""
    value = getattr(obj, field.attname)
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    return "" if value is None else str(value)


def _tracked_fields(model):
    # auto_now timestamps change on every save and would bury the change that was made
    return [f for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
            if not f.primary_key and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)]


def snapshot(obj) -> dict[str, str]:
    return {f.name: _shown(obj, f) for f in _tracked_fields(type(obj))}


def differences(obj, before: dict[str, str]) -> list[dict]:
    """Field by field, what the object was and is now; field labels in English, translated when shown."""
    after = snapshot(obj)
    changes = []
    with translation.override("en"):
        for field in _tracked_fields(type(obj)):
            old, new = before.get(field.name, ""), after[field.name]
            if old == new:
                continue
            hidden = field.name in SECRET_FIELDS
            changes.append({"field": field.name, "label": str(field.verbose_name), "object": str(obj)[:200],
                            "model": str(obj._meta.verbose_name),
                            "old": HIDDEN if hidden else old[:500], "new": HIDDEN if hidden else new[:500]})
    return changes


def _stored_snapshot(obj) -> dict[str, str] | None:
    stored = type(obj)._base_manager.filter(pk=obj.pk).first() if obj.pk else None
    return snapshot(stored) if stored is not None else None


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


def values_of(message) -> list[dict]:
    """The field: old → new rows of an admin change message (a LogEntry's, or the one being logged)."""
    if isinstance(message, str):
        try:
            message = json.loads(message) if message.startswith("[") else []
        except ValueError:
            return []
    return [row for part in message or [] if isinstance(part, dict) for row in part.get("values", [])]


def describe_values(values: list[dict], *, subject: str = "") -> str:
    """ "Name: Sabah Forestry → Sabah Forestry Department" for each row, in the reader's language."""
    return "; ".join(
        f"{row['object'] + ' · ' if row.get('object') and row['object'] != subject else ''}"
        f"{capfirst(gettext(row['label']))}: {row['old'] or '—'} → {row['new'] or '—'}"
        for row in values
    )


def _with_values(entry):
    """A LogEntry whose message, on the history page, goes on to say field: old → new."""
    values = values_of(entry.change_message)
    if values:
        message = entry.get_change_message()
        entry.get_change_message = lambda: f"{message} {describe_values(values, subject=entry.object_repr)}"
    return entry


class AuditedAdmin(admin.ModelAdmin):
    """Adds an audit event beside each admin LogEntry: what changed (field: old → new), by whom, on which object."""

    def _before(self, request) -> dict:
        if not hasattr(request, "_config_before"):
            request._config_before = {}
        return request._config_before

    def save_model(self, request, obj, form, change):
        if change:
            self._before(request)[(obj._meta.label_lower, obj.pk)] = _stored_snapshot(obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        edited = [f.instance for f in formset.initial_forms
                  if f.instance.pk and f.has_changed() and not (formset.can_delete and formset._should_delete_form(f))]
        before = {obj.pk: _stored_snapshot(obj) for obj in edited}
        super().save_formset(request, form, formset, change)
        inline_changes = self._before(request).setdefault("inlines", [])
        for obj in edited:
            if before[obj.pk] is not None:
                inline_changes.extend(differences(obj, before[obj.pk]))

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if add:
            return message
        stored = self._before(request)
        before = stored.pop((form.instance._meta.label_lower, form.instance.pk), None)
        values = (differences(form.instance, before) if before is not None else []) + stored.pop("inlines", [])
        if values:
            # Beside Django's own sub-messages, which get_change_message reads and this one it skips.
            message.append({"values": values})
        return message

    def _audit(self, request, obj, verb: str, message) -> None:
        with transaction.atomic():
            record_event(
                event=f"config.{verb}", subject_type=obj._meta.label_lower, subject_id=str(obj.pk)[:64],
                acting_user=request.user, party=party_of(obj),
                data={"object": str(obj)[:200], "change": message, "values": values_of(message)},
            )

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        page = getattr(response, "context_data", {}).get("action_list")
        if page is not None:
            page.object_list = [_with_values(entry) for entry in page.object_list]
        return response

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
