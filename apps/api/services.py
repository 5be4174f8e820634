"""Personal API tokens: created (shown once), listed, revoked; both changes are audit events."""
from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.events import Event
from apps.audit.services import record_token_event

from .authentication import TOKEN_PREFIX
from .models import PersonalToken, hash_token

MAX_ACTIVE_TOKENS = 20


@transaction.atomic
def create_personal_token(*, user, name: str) -> tuple[PersonalToken, str]:
    """A new token for the user; returns the row and the token itself, which is never stored nor shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the token, e.g. after the system that will use it.")})
    if PersonalToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError({"name": _("You have %(n)s active tokens; revoke one first.") % {"n": MAX_ACTIVE_TOKENS}})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalToken.objects.create(user=user, name=name[:100], prefix=raw[:12], key_hash=hash_token(raw))
    record_token_event(event=Event.TOKEN_CREATED, acting_user=user, token_owner=user, token_id=token.pk, label=token.name,
                       data={"kind": "personal", "prefix": token.prefix})
    return token, raw


@transaction.atomic
def revoke_personal_token(*, user, token: PersonalToken) -> PersonalToken:
    """Revoke one of the user's tokens; revoking twice changes nothing more."""
    locked = PersonalToken.objects.select_for_update().get(pk=token.pk, user=user)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record_token_event(event=Event.TOKEN_REVOKED, acting_user=user, token_owner=user, token_id=locked.pk,
                           label=locked.name, data={"kind": "personal", "prefix": locked.prefix})
    return locked
