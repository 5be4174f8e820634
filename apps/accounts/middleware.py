"""Send approvers, supervisors and staff through TOTP before anything else; keep staff sessions short."""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .twofactor import has_confirmed_device, two_factor_required

EXEMPT_PREFIXES = ("/account/two-factor/", "/accounts/logout/", "/accounts/login/", "/static/", "/letters/check/",
                   "/i18n/")  # the language switcher works on the enrol page too


class RequireTwoFactorMiddleware:
    """After django-otp's OTPMiddleware: a session that must be verified and is not goes to enrol or verify."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (not request.path.startswith(EXEMPT_PREFIXES) and two_factor_required(user)
                and not user.is_verified()):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "two_factor_required",
                                     "detail": _("Verify your second factor in the web application first.")}, status=403)
            name = "two-factor-verify" if has_confirmed_device(user) else "two-factor-enrol"
            return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class StaffSessionTimeoutMiddleware:
    """A staff session ends after TIERFLOW_STAFF_SESSION_SECONDS without a request (sliding)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff and hasattr(request, "session"):
            request.session.set_expiry(getattr(settings, "TIERFLOW_STAFF_SESSION_SECONDS", 1800))
        return self.get_response(request)


class UserLanguageMiddleware:
    """After LocaleMiddleware and authentication: a signed-in person's pages are in the language they chose.

    An API request that says `Accept-Language` gets that language (a program asks for what it parses), whatever
    the session's owner chose for their pages.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .languages import language_from_header, session_language

        language = None
        if request.path.startswith("/api/") and request.META.get("HTTP_ACCEPT_LANGUAGE"):
            language = language_from_header(request.META["HTTP_ACCEPT_LANGUAGE"])
        elif request.user.is_authenticated:
            language = session_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
