"""Reads of the configuration history: who changed what, when, and what it was before."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model

from .models import EVENT_MODELS

MembershipEvent = EVENT_MODELS["Membership"]


@dataclass(frozen=True)
class Grant:
    """A membership role given to (or taken from) a user: when, by whom, through which page."""

    at: datetime
    action: str  # "granted" or "removed"
    username: str
    role: str
    authority: str
    jurisdiction: str
    by: str  # the username from the request context, or "" when made outside a request (seed, shell)
    via: str  # the URL path of the request that made it


def _username_by_id(ids: set) -> dict:
    ids = {int(i) for i in ids if i not in (None, "")}
    return dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))


def membership_grants(*, user, jurisdiction_code: str | None = None, role: str | None = None) -> list[Grant]:
    """Every time the user was given or lost a role at an authority, oldest first.

    "Who gave this person approver rights in Sabah, and when":
    `membership_grants(user=u, jurisdiction_code="MY-12", role="approver")`.
    """
    events = list(
        MembershipEvent.objects.filter(user_id=user.pk)
        .select_related("pgh_context", "authority__jurisdiction")
        .order_by("pgh_created_at", "pgh_id")
    )
    previous_role: dict[int, str | None] = {}
    rows: list[tuple] = []
    for event in events:
        before = previous_role.get(event.pgh_obj_id)
        if event.pgh_label == "delete":
            action, event_role = "removed", event.role
            previous_role[event.pgh_obj_id] = None
        elif event.pgh_label == "update" and before == event.role:
            continue  # a save that did not change the role
        else:
            if event.pgh_label == "update" and before:
                rows.append((event, "removed", before))
            action, event_role = "granted", event.role
            previous_role[event.pgh_obj_id] = event.role
        rows.append((event, action, event_role))
    metadata = {id(e): (e.pgh_context.metadata if e.pgh_context_id else {}) for e, _, _ in rows}
    names = _username_by_id({m.get("user") for m in metadata.values()})
    grants = []
    for event, action, event_role in rows:
        jurisdiction = event.authority.jurisdiction_id if event.authority_id else ""
        if jurisdiction_code and jurisdiction != jurisdiction_code:
            continue
        if role and event_role != role:
            continue
        context = metadata[id(event)]
        by_id = context.get("user")
        grants.append(Grant(
            at=event.pgh_created_at, action=action, username=user.username, role=event_role,
            authority=str(event.authority) if event.authority_id else "", jurisdiction=jurisdiction,
            by=names.get(int(by_id), "") if by_id not in (None, "") else "", via=context.get("url", ""),
        ))
    return grants


def held_role_at(*, user_id: int, authority_id: int, role: str, at: datetime) -> bool | None:
    """Whether the user held the role at the authority at that moment; None when history does not reach back."""
    events = MembershipEvent.objects.filter(user_id=user_id, authority_id=authority_id, role=role, pgh_created_at__lte=at)
    latest_by_row: dict[int, str] = {}
    for obj_id, label in events.order_by("pgh_created_at", "pgh_id").values_list("pgh_obj_id", "pgh_label"):
        latest_by_row[obj_id] = label
    if latest_by_row:
        return any(label != "delete" for label in latest_by_row.values())
    if MembershipEvent.objects.filter(pgh_created_at__lte=at).exists():
        return False  # history was running then and shows no such membership
    return None


@dataclass(frozen=True)
class ConfigChange:
    """One insert, update or delete of a configuration row, field by field: (field, old, new)."""

    at: datetime
    action: str  # "insert", "update" or "delete"
    by: str
    via: str
    fields: list[tuple[str, str, str]]


def config_changes(model_name: str, pk) -> list[ConfigChange]:
    """Every recorded change of one configuration row, oldest first, whoever made it (admin, shell, seed).

    The triggers copy whole rows, so each update is compared with the row before it; a save that changed
    nothing is left out.
    """
    try:
        event_model = EVENT_MODELS[model_name]
    except KeyError:
        raise LookupError(f"{model_name} is not a tracked configuration model ({', '.join(sorted(EVENT_MODELS))})") from None
    columns = [f.attname for f in event_model._meta.concrete_fields if not f.name.startswith("pgh_")]
    events = list(event_model.objects.filter(pgh_obj_id=pk).select_related("pgh_context").order_by("pgh_created_at", "pgh_id"))
    metadata = [e.pgh_context.metadata if e.pgh_context_id else {} for e in events]
    names = _username_by_id({m.get("user") for m in metadata})
    previous: dict[str, str] = {}
    changes = []
    for event, context in zip(events, metadata, strict=True):
        row = {column: "" if getattr(event, column) is None else str(getattr(event, column)) for column in columns}
        if event.pgh_label == "delete":
            fields = [(column, value, "") for column, value in row.items() if value]
        else:
            fields = [(column, previous.get(column, ""), value) for column, value in row.items() if previous.get(column, "") != value]
            if event.pgh_label == "update" and not fields:
                continue
        previous = {} if event.pgh_label == "delete" else row
        by_id = context.get("user")
        changes.append(ConfigChange(at=event.pgh_created_at, action=event.pgh_label, fields=fields,
                                    by=names.get(int(by_id), "") if by_id not in (None, "") else "", via=context.get("url", "")))
    return changes
