"""The contract's API token (DRF authtoken, `POST /api/v1/auth/token/`), stored hashed like personal tokens.

DRF keeps the token itself as the row's key. Here the row keeps only a SHA-256 digest of it (40 hex digits,
the key column's width), and the token is derived, HMAC-SHA256 under SECRET_KEY, from the row's user and
creation time: the endpoint can hand the same token out again, as DRF's does, while a copy of the database
alone authenticates nobody. Checking a presented token needs only its digest, not SECRET_KEY.
"""
from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def _derived(token: Token) -> str:
    message = f"tierflow.contract-token:{token.user_id}:{token.created.isoformat()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]


def _is_derived(token: Token) -> bool:
    return hmac.compare_digest(token.key, digest(_derived(token)))


def hint(token: Token) -> str:
    """The token's first characters, to recognise it on the account page ('' for one this server cannot derive)."""
    return _derived(token)[:6] if _is_derived(token) else ""


def token_for(user) -> tuple[str, bool]:
    """The user's contract token and whether it was made now. A row from before hashing (or before a change of
    SECRET_KEY) cannot be handed out again, so it is replaced."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and _is_derived(token):
            return _derived(token), False
        if token is not None:
            token.delete()
        try:
            with transaction.atomic():
                token = Token.objects.create(user=user)  # a random key, replaced by the digest just below
        except IntegrityError:  # a concurrent request made it first
            return token_for(user)
        raw = _derived(token)
        Token.objects.filter(pk=token.pk).update(key=digest(raw))
        return raw, True
