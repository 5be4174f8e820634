"""`Authorization: Bearer <token>` (or `Token <token>`) with a personal API token."""
from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from apps.accounts.contract_tokens import digest
from apps.accounts.twofactor import has_confirmed_device, two_factor_required

from .models import PersonalToken, hash_token
from .selectors import token_with_caller

TOKEN_PREFIX = "tfp_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


class SecondFactorRequired(exceptions.PermissionDenied):
    default_code = "two_factor_required"


def refuse_without_second_factor(user) -> None:
    """A token minted before its user had to use a second factor (a new role, enforcement switched on) must not
    outlive that rule: until the user confirms a TOTP device, their tokens are refused."""
    if two_factor_required(user) and not has_confirmed_device(user):
        raise SecondFactorRequired(_("Your role requires a second factor: set one up (Account → Two-factor) before "
                                     "using an API token."))


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
        refuse_without_second_factor(token.user)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ContractTokenAuthentication(authentication.TokenAuthentication):
    """DRF's token (`POST /api/v1/auth/token/`), looked up by its digest with the caller's organisations and
    memberships in the same statement, under the same second-factor rule as personal tokens."""

    def authenticate_credentials(self, key):
        stored = digest(key)  # only the digest is stored
        token = token_with_caller(stored) if connection.vendor == "postgresql" else None
        if token is not None and token.user.is_active:
            user = token.user
        else:
            user, token = super().authenticate_credentials(stored)  # DRF's own lookup and its error messages
        refuse_without_second_factor(user)
        return user, token


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.PersonalTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal API token (`tfp_...`) from `POST /api/v1/tokens/`: "
                               "`Authorization: Bearer <token>` (or `Token <token>`)."}
