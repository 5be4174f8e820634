"""What a locked-out client sees: the API's error body on /api/, the lockout page everywhere else."""
from __future__ import annotations

from axes.helpers import get_cool_off, get_lockout_message
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    cool_off = get_cool_off(request)
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "locked_out", "detail": str(get_lockout_message())}, status=429)
    else:
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE, {"cooloff_timedelta": cool_off}, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
