"""django-axes' lockout answer: the API's JSON error body under /api/, the lockout page elsewhere."""
from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, original_response=None, credentials=None):
    from axes import helpers

    cool_off = helpers.get_cool_off(request)
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "locked_out", "detail": _(
            "Too many failed sign-ins for this account or address; try again later.")}, status=429)
        if cool_off:
            response["Retry-After"] = str(int(cool_off.total_seconds()))
        return response
    # Elsewhere: what axes renders without a callable.
    context = {"failure_limit": helpers.get_failure_limit(request, credentials),
               "username": helpers.get_client_username(request, credentials) or ""}
    if cool_off:
        context.update({"cooloff_time": helpers.get_cool_off_iso8601(cool_off), "cooloff_timedelta": cool_off})
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)
