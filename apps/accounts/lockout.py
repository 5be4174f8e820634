"""Sign-in lockout per (username, address): a growing delay after each failure, then a hard lock; and what a
locked-out or delayed client sees (the API's error body on /api/, the lockout page elsewhere), with how long."""
from __future__ import annotations

import math
import time
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def delay_after(failures: int) -> timedelta:
    """Wait after the n-th failure before the next try: base, 2×base, 4×base, ... until the hard lock."""
    if failures <= 0 or failures >= settings.AXES_FAILURE_LIMIT:
        return timedelta(0)
    return timedelta(seconds=settings.TIERFLOW_LOGIN_DELAY_SECONDS * 2 ** (failures - 1))


ADDRESS_WINDOW = 60


def _address_key(request) -> str:
    return f"signin-failures:{getattr(request, 'axes_ip_address', None)}:{int(time.time() // ADDRESS_WINDOW)}"


def _count_address_failure(request) -> None:
    """Failures from one address across all usernames, in the shared cache: a brake on guessing many accounts
    from one place that, unlike a lock, lifts within a minute for the colleagues behind the same address."""
    key = _address_key(request)
    cache.add(key, 0, ADDRESS_WINDOW + 1)
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, 1, ADDRESS_WINDOW + 1)


def _address_wait(request) -> timedelta | None:
    if (cache.get(_address_key(request)) or 0) < settings.TIERFLOW_SIGNIN_FAILURES_PER_ADDRESS_PER_MINUTE:
        return None
    return timedelta(seconds=ADDRESS_WINDOW - time.time() % ADDRESS_WINDOW)


class DelayingDatabaseHandler(AxesDatabaseHandler):
    """django-axes' database handler (counts in PostgreSQL, shared by every process), refusing also a try that
    comes before the delay earned by the previous failures has passed. A refused try is not counted."""

    def is_allowed(self, request, credentials=None) -> bool:
        if not super().is_allowed(request, credentials):
            request.tierflow_lockout = ("locked", self._lock_remaining(request, credentials))
            return False
        address_wait = _address_wait(request)
        if address_wait:
            request.tierflow_lockout = ("delayed", address_wait)
            return False
        failures, last = self._failures(request, credentials)
        if failures and last is not None:
            wait = last + delay_after(failures) - timezone.now()
            if wait > timedelta(0):
                request.tierflow_lockout = ("delayed", wait)
                return False
        return True

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        counted = request is not None and not getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if counted:
            _count_address_failure(request)

    def _failures(self, request, credentials):
        totals = {"failures": 0, "last": None}
        for attempts in self.get_user_attempts(request, credentials):
            row = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            if (row["failures"] or 0) >= totals["failures"]:
                totals = {"failures": row["failures"] or 0, "last": row["last"]}
        return totals["failures"], totals["last"]

    def _lock_remaining(self, request, credentials) -> timedelta:
        _failures, last = self._failures(request, credentials)
        cool_off = get_cool_off(request) or timedelta(0)
        return max((last + cool_off - timezone.now()) if last else cool_off, timedelta(seconds=1))


def lockout_detail(request: HttpRequest) -> tuple[str, str, int]:
    """(code, message, seconds to wait) for the refusal the handler decided on this request."""
    kind, wait = getattr(request, "tierflow_lockout", ("locked", get_cool_off(request) or timedelta(0)))
    seconds = max(math.ceil(wait.total_seconds()), 1)
    if kind == "delayed":
        message = ngettext("Too many failed sign-ins: wait %(seconds)d second before trying again.",
                           "Too many failed sign-ins: wait %(seconds)d seconds before trying again.", seconds)
        return "throttled", message % {"seconds": seconds}, seconds
    minutes = math.ceil(seconds / 60)
    message = ngettext(
        "Too many failed sign-ins for this account from your address: signing in is locked for %(minutes)d more "
        "minute. An administrator can unlock it sooner.",
        "Too many failed sign-ins for this account from your address: signing in is locked for %(minutes)d more "
        "minutes. An administrator can unlock it sooner.", minutes)
    return "locked_out", message % {"minutes": minutes}, seconds


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    code, message, seconds = lockout_detail(request)
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": code, "detail": message}, status=429)
    else:
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE, {"lockout_message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def is_delay(request) -> bool:
    return getattr(request, "tierflow_lockout", ("",))[0] == "delayed"
