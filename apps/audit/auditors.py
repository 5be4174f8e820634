"""Auditors: a group with read access to the audit log, its verification runs and its exports."""
from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from .events import Event
from .services import record_event

AUDITORS_GROUP = "Auditors"
AUDITOR_PERMISSIONS = ["view_auditevent", "view_verificationrun"]


def auditors_group() -> Group:
    group, _ = Group.objects.get_or_create(name=AUDITORS_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="audit", codename__in=AUDITOR_PERMISSIONS))
    return group


def is_auditor(user) -> bool:
    """In the Auditors group (a superuser is not an auditor by default: the matrix gives nobody a shortcut)."""
    return bool(getattr(user, "is_authenticated", False)) and user.groups.filter(name=AUDITORS_GROUP).exists()


def grant_auditor(*, user, acting_user) -> None:
    user.groups.add(auditors_group())
    record_event(event=Event.AUDITOR_GRANTED, subject_type="user", subject_id=user.username, acting_user=acting_user)


def revoke_auditor(*, user, acting_user) -> None:
    user.groups.remove(auditors_group())
    record_event(event=Event.AUDITOR_REVOKED, subject_type="user", subject_id=user.username, acting_user=acting_user)
