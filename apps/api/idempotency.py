"""`Idempotency-Key` on creating requests: a repeat returns the first response and creates nothing new.

The key is stored per user with a fingerprint of the request (method, path,
body). The same key with the same body replays the stored response; with a
different body it is refused (422); while the first request is still running a
repeat gets 409. A request that fails stores nothing, so it may be retried. A key is
forgotten after TIERFLOW_IDEMPOTENCY_KEY_HOURS; one left "in progress" by a worker that
died mid-request is released after TIERFLOW_IDEMPOTENCY_IN_PROGRESS_SECONDS.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .errors import Conflict, Unprocessable
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
PARAMETER = OpenApiParameter(
    HEADER, str, OpenApiParameter.HEADER, required=False,
    description="Any unique string (e.g. a UUID) up to 255 characters. Repeating the request with the same key and "
                "body returns the first response (header `Idempotent-Replayed: true`) and creates nothing new.",
)


def fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyKey, print_: str) -> Response:
    if record.fingerprint != print_:
        raise Unprocessable(_("This Idempotency-Key was already used for a different request; use a new key."),
                            code="idempotency_key_reused")
    if record.status_code is None:
        raise Conflict(_("A request with this Idempotency-Key is still being processed; retry shortly."),
                       code="idempotency_key_in_progress")
    return Response(record.response_body, status=record.status_code, headers={"Idempotent-Replayed": "true"})


def expired_before():
    return timezone.now() - timedelta(hours=settings.TIERFLOW_IDEMPOTENCY_KEY_HOURS)


def _forget_if_stale(record: IdempotencyKey) -> bool:
    """Delete a key past its lifetime, or one still "in progress" long after any request could have finished
    (its worker was killed before it could store or release the key); True if it is gone."""
    stale = IdempotencyKey.objects.filter(pk=record.pk, created_at__lt=expired_before())
    abandoned = IdempotencyKey.objects.filter(
        pk=record.pk, status_code__isnull=True,
        created_at__lt=timezone.now() - timedelta(seconds=settings.TIERFLOW_IDEMPOTENCY_IN_PROGRESS_SECONDS))
    return bool(stale.delete()[0] or abandoned.delete()[0])


def prune_keys() -> int:
    """Keys past their lifetime (the beat runs this); returns how many were deleted."""
    return IdempotencyKey.objects.filter(created_at__lt=expired_before()).delete()[0]


def idempotent(request, create: Callable[[], Response]) -> Response:
    key = request.headers.get(HEADER)
    if key is None:
        return create()
    key = key.strip()
    if not key or len(key) > 255:
        raise ValidationError({HEADER: [_("Send between 1 and 255 characters.")]})
    print_ = fingerprint(request)
    existing = IdempotencyKey.objects.filter(user=request.user, key=key).first()
    if existing is not None and not _forget_if_stale(existing):
        return _replay(existing, print_)
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(user=request.user, key=key, fingerprint=print_)
    except IntegrityError:
        return _replay(IdempotencyKey.objects.get(user=request.user, key=key), print_)
    try:
        response = create()
    except BaseException:
        record.delete()  # nothing was created: the key may be used again
        raise
    if response.status_code >= 300:
        record.delete()
        return response
    record.status_code = response.status_code
    record.response_body = json.loads(json.dumps(response.data, default=str))
    record.save(update_fields=["status_code", "response_body"])
    return response
