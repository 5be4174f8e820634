"""What the header shows on every page: the user's seats (authority, role, jurisdiction) and unread count."""
from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from apps.permissions import is_top_tier_officer
from apps.notifications.services import unread_count

from .selectors import seats_for_header


def header(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "header_seats": SimpleLazyObject(lambda: seats_for_header(user)),
        "header_unread": SimpleLazyObject(lambda: unread_count(user)),
        "header_dashboard": SimpleLazyObject(lambda: is_top_tier_officer(user)),
    }
