"""`Authorization: Bearer <token>` (or `Token <token>`) with a personal API token."""
from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import PersonalToken, hash_token
from .selectors import token_with_caller

TOKEN_PREFIX = "tfp_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


class PersonalTokenAuthentication(authentication.BaseAuthentication):
    """Accepts personal tokens (they start with `tfp_`); other `Token` values are left to the contract's class."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].decode(errors="replace").lower() not in self.keywords:
            return None
        raw = parts[1].decode(errors="replace")
        if not raw.startswith(TOKEN_PREFIX):
            if parts[0].lower() == b"bearer":
                raise exceptions.AuthenticationFailed(_("Invalid token."))
            return None
        token = PersonalToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
        if token is None or token.revoked_at is not None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            PersonalToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most one write a minute
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ContractTokenAuthentication(authentication.TokenAuthentication):
    """The contract's `Authorization: Token <key>`, read with the caller's organisations and memberships in one statement."""

    def authenticate_credentials(self, key):
        if connection.vendor == "postgresql":
            token = token_with_caller(key)
            if token is not None and token.user.is_active:
                return token.user, token
        return super().authenticate_credentials(key)  # DRF's own lookup and its error messages


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.PersonalTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal API token (`tfp_...`) from `POST /api/v1/tokens/`: "
                               "`Authorization: Bearer <token>` (or `Token <token>`)."}
