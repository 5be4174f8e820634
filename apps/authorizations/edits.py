"""What an edit of an application changed, field by field, as the audit event keeps it: {field: [old, new]}."""
from __future__ import annotations

from django.db import models

# A long text is kept as its start: the timeline says it changed, the application holds the whole of it.
TEXT_LIMIT = 200


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str) and len(value) > TEXT_LIMIT:
        return value[: TEXT_LIMIT - 1] + "…"
    return value


def edit_values(application, data, changed: list[str], *, acquiring_before: list[str]) -> dict[str, list]:
    """Old and new value of each changed field (read before the application is updated); related rows by key, choices by code."""
    values = {name: [_plain(getattr(application, name)), _plain(getattr(data, name))] for name in changed}
    acquiring_after = sorted(party.pk for party in data.acquiring_parties)
    if acquiring_after != acquiring_before:
        values["acquiring_parties"] = [", ".join(acquiring_before), ", ".join(acquiring_after)]
    return values
