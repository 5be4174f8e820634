"""Conditional GET for the register's pages and data: a mirror polling an unchanged view gets a 304 and no body."""
from __future__ import annotations

import hashlib

from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from .selectors import Freshness


def validators(request, fresh: Freshness, kind: str) -> tuple[str, int | None]:
    # The same rows differ by representation, language and query (filters, cursor): each is its own entity.
    user = getattr(request, "user", None)
    reader = str(user.pk) if user is not None and user.is_authenticated else ""  # the header names who is signed in
    key = "|".join([kind, get_language() or "", reader, request.GET.urlencode(), fresh.etag])
    etag = quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])
    return etag, int(fresh.last_modified.timestamp()) if fresh.last_modified else None


def not_modified(request, etag: str, last_modified: int | None):
    """A 304 when the client already holds this version, else None."""
    return get_conditional_response(request, etag=etag, last_modified=last_modified)


def stamp(response, etag: str, last_modified: int | None, request=None):
    response.headers["ETag"] = etag
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
    user = getattr(request, "user", None)
    # Anyone may cache an anonymous view, but must ask again (cheaply, conditionally) before reusing it; a signed-in
    # reader's page carries their name in the header, so only their own browser keeps it.
    scope = "private" if user is not None and user.is_authenticated else "public"
    response.headers["Cache-Control"] = f"{scope}, max-age=0, must-revalidate"
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response
