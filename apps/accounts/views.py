"""The user's own page: sessions, tokens and two-factor enrolment and verification."""
from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from apps.audit.events import Event
from apps.audit.services import record_event

from . import services
from .addresses import client_address
from .languages import language_of, remember_language
from .twofactor import has_confirmed_device, two_factor_required


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html", {
        "sessions": services.sessions_of(request.user),
        "current_session": request.session.session_key,
        "tokens": services.tokens_of(request.user),
        "has_device": has_confirmed_device(request.user),
        "two_factor_required": two_factor_required(request.user),
        "language": language_of(request.user),
    })


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switcher (cookie, redirect back), and for a signed-in person their remembered language too."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated and response.status_code == 302:
        remember_language(request.user, request.POST.get("language", ""), request)
    return response


@login_required
@require_POST
def save_language(request: HttpRequest) -> HttpResponse:
    """The language chosen on the account page: pages, notifications and emails from now on."""
    language = remember_language(request.user, request.POST.get("language", ""), request)
    if language is None:
        messages.error(request, _("Choose one of the languages listed."))
        return redirect("account")
    translation.activate(language)
    messages.success(request, _("Your language is saved: pages, notifications and emails will use it."))
    response = redirect("account")
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE, secure=settings.LANGUAGE_COOKIE_SECURE,
                        httponly=settings.LANGUAGE_COOKIE_HTTPONLY)
    return response


@login_required
@require_POST
def revoke_session(request: HttpRequest, session_id: int) -> HttpResponse:
    if services.revoke_session(acting_user=request.user, session_id=session_id):
        messages.success(request, _("The session was ended."))
    else:
        messages.error(request, _("No such session of yours."))
    return redirect("account")


@login_required
@require_POST
def revoke_api_token(request: HttpRequest) -> HttpResponse:
    if services.revoke_api_token(acting_user=request.user):
        messages.success(request, _("The API token was revoked; programs using it must sign in again."))
    else:
        messages.error(request, _("You have no API token."))
    return redirect("account")


@login_required
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    if has_confirmed_device(request.user):
        messages.info(request, _("Two-factor authentication is already set up."))
        return redirect("account")
    device = services.pending_device(request.user)
    if request.method == "POST":
        if services.confirm_device(acting_user=request.user, device=device, token=request.POST.get("token", "")):
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_next_url(request))
        messages.error(request, _("That code did not match; check the app's clock and try the current code."))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "accounts/two_factor_enrol.html", {
        "qr_svg": mark_safe(qr_svg), "secret": _base32(device), "next": _next_url(request),
    }, status=400 if request.method == "POST" else 200)


def _base32(device) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if not has_confirmed_device(request.user):
        return redirect("two-factor-enrol")
    if request.method == "POST":
        device = match_token(request.user, (request.POST.get("token") or "").strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        with transaction.atomic():
            record_event(event=Event.AUTH_2FA_FAILED, subject_type="user", subject_id=request.user.username,
                         acting_user=request.user, data={"address": client_address(request)})
        messages.error(request, _("That code did not match."))
    return render(request, "accounts/two_factor_verify.html", {"next": _next_url(request)},
                  status=400 if request.method == "POST" else 200)
