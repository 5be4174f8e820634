"""Writing notifications for workflow events, inside the transaction that caused them."""
from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from apps.governance.models import Role

from .models import Channel, DeliveryStatus, Notification

User = get_user_model()


def recipients_for(*, authority_roles: Iterable[tuple[int, Iterable[str]]] = (), organisation_id: int | None = None) -> list[int]:
    """User ids of the given roles at the given authorities, plus the proponent organisation's members."""
    condition = Q(pk__in=[])
    for authority_id, roles in authority_roles:
        condition |= Q(memberships__authority_id=authority_id, memberships__role__in=list(roles))
    if organisation_id is not None:
        condition |= Q(organisations__id=organisation_id)
    return list(User.objects.filter(condition, is_active=True).values_list("pk", flat=True).distinct())


def notify(*, event: str, event_key: str, recipient_ids: Iterable[int], application=None, subject: str, body: str = "") -> list[Notification]:
    """Write one in-app notification per recipient; the key makes a repeated event write nothing new."""
    now = timezone.now()
    rows = [
        Notification(
            recipient_id=recipient_id, event=event, application=application, channel=Channel.IN_APP,
            idempotency_key=f"{event_key}:{recipient_id}:{Channel.IN_APP}", subject=subject, body=body,
            status=DeliveryStatus.DELIVERED, delivered_at=now,
        )
        for recipient_id in sorted(set(recipient_ids))
    ]
    return Notification.objects.bulk_create(rows, ignore_conflicts=True)


STAFF_ROLES = (Role.REVIEWER, Role.APPROVER)


# --- the inbox (same signatures as issue 3's; the lead keeps issue 3's version at merge) ---


def inbox_for(user):
    """The user's in-app notifications, newest first."""
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP).select_related("application")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox_for(user).filter(read_at__isnull=True).count()


def mark_read(*, user, notification_ids) -> int:
    return inbox_for(user).filter(pk__in=list(notification_ids), read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(*, user) -> int:
    return inbox_for(user).filter(read_at__isnull=True).update(read_at=timezone.now())
