"""The client's address, the one every limit, lockout and audit row keys on.

`X-Forwarded-For` is written by whoever sends the request, so it is read only when settings say how many proxies
of our own stand in front (TIERFLOW_TRUSTED_PROXIES, 1 by default behind TIERFLOW_BEHIND_TLS_PROXY): the entry
the farthest trusted proxy appended is the client; anything left of it is the client's own claim and is ignored.
"""
from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    meta = getattr(request, "META", None) or {}
    remote = meta.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TIERFLOW_TRUSTED_PROXIES", 0)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    entries = [entry for entry in forwarded.split(",") if entry.strip()]
    if len(entries) < proxies:
        return remote  # the chain is shorter than our own proxies: the header did not come through them
    return _address(entries[-proxies]) or remote
