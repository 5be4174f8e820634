"""The API's boundary: what never reaches a view (a NUL in the path or query, a body past the size limit), and
the API's error body (`code`, `detail`) for every error under /api/, including Django's own 404, 405 and 500 pages."""
from __future__ import annotations

import json
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
# Uploads travel as multipart and may be as large as a document (plus its form fields).
UPLOAD_LIMIT = 10 * 1024 * 1024
CODES = {400: "invalid", 401: "not_authenticated", 403: "permission_denied", 404: "not_found", 405: "method_not_allowed",
         406: "not_acceptable", 409: "conflict", 413: "too_large", 415: "unsupported_media_type", 429: "throttled",
         500: "server_error"}


def error_response(status: int, detail: str, **fields) -> JsonResponse:
    return JsonResponse({"code": CODES.get(status, "error"), "detail": detail, **fields}, status=status)


def too_large() -> JsonResponse:
    return error_response(413, _("The request body is larger than this endpoint accepts."))


def _body_limit(request) -> int:
    if request.content_type == "multipart/form-data":
        return UPLOAD_LIMIT + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _detail(status: int) -> str:
    known = {404: _("Not found."), 405: _("Method not allowed."), 500: _("Server error.")}
    if status in known:
        return known[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class ApiBoundaryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if "\x00" in request.path:
            return error_response(404, _detail(404))
        refused = sorted({key.replace("\x00", "\\x00") for key, values in request.GET.lists()
                          if "\x00" in key or any("\x00" in value for value in values)})
        if refused:
            message = _("This parameter cannot contain a NUL character.")
            return error_response(400, message, **{key: [message] for key in refused})
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > _body_limit(request):
            return too_large()
        return self._as_api_error(self.get_response(request))

    def process_exception(self, request, exception):
        if request.path.startswith(API_PREFIX) and isinstance(exception, RequestDataTooBig):
            return too_large()
        return None

    @staticmethod
    def _as_api_error(response):
        """Django's HTML error pages (no route, wrong method outside DRF, a crash) as the API's error body."""
        if (response.status_code < 400 or response.streaming
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        try:  # already the error body, under another content type (a download's error, rendered as bytes)
            body = json.loads(response.content)
        except ValueError:
            body = None
        if isinstance(body, dict) and {"code", "detail"} <= set(body):
            replacement = JsonResponse(body, status=response.status_code)
        else:
            replacement = error_response(response.status_code, _detail(response.status_code))
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "Vary"):
            if header in response:
                replacement[header] = response[header]
        return replacement

