"""POST /api/v1/auth/token/: DRF's obtain_auth_token, behind django-axes lockout and, where required, TOTP.

Request and response are DRF's (`{"username", "password"}` → `{"token"}`). Users who must use
two-factor authentication (approvers, supervisors, staff, when TIERFLOW_REQUIRE_2FA is on) also send
`"otp"`: the current code from their authenticator app.
"""
from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import match_token
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.settings import api_settings

from apps.accounts.contract_tokens import token_for
from apps.accounts.lockout import lockout_detail
from apps.accounts.twofactor import two_factor_required
from apps.audit.events import Event
from apps.audit.services import record_token_event

from .throttling import ScopedSharedThrottle


def _locked(request) -> Response:
    code, message, seconds = lockout_detail(request)
    return Response({"code": code, "detail": message}, status=status.HTTP_429_TOO_MANY_REQUESTS,
                    headers={"Retry-After": str(seconds)})


class ObtainTokenView(ObtainAuthToken):
    throttle_classes = [ScopedSharedThrottle]  # ObtainAuthToken has none by default
    throttle_scope = "token"
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # ObtainAuthToken sets its own, without the object check

    def post(self, request, *args, **kwargs):
        # django-axes and the auth signals work on Django's request, not DRF's wrapper.
        django_request = request._request
        credentials = {"username": str(request.data.get("username", ""))}
        if not AxesProxyHandler.is_allowed(django_request, credentials):
            return _locked(django_request)
        serializer = self.serializer_class(data=request.data, context={"request": django_request})
        if not serializer.is_valid():
            if getattr(django_request, "axes_locked_out", False):
                return _locked(django_request)
            serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        code = str(request.data.get("otp", "")).strip()
        # No code at all is not a wrong guess: only a wrong code counts towards django-otp's throttle.
        if two_factor_required(user) and (not code or match_token(user, code) is None):
            return Response({"code": "two_factor_required", "detail": _("Send the current code from your authenticator app."),
                             "otp": [_("A valid one-time code is required for your role.")]}, status=status.HTTP_400_BAD_REQUEST)
        with transaction.atomic():
            raw, created = token_for(user)
            if created:
                record_token_event(event=Event.TOKEN_CREATED, acting_user=user, token_owner=user, token_id="api", label="API token")
        return Response({"token": raw})


obtain_token = ObtainTokenView.as_view()
