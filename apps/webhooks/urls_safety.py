"""No server-side request forgery: webhook URLs are https and resolve only to public addresses, unless DEBUG."""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                                 or ip.is_reserved or ip.is_unspecified)


def check_webhook_url(url: str) -> None:
    """Raises ValidationError (field `url`) for a URL Tierflow must not call."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError({"url": _("Give an absolute https:// URL.")})
    if parts.username or parts.password:
        raise ValidationError({"url": _("Credentials in the URL are not accepted; authenticate by the signature.")})
    if settings.DEBUG:
        return
    if parts.scheme != "https":
        raise ValidationError({"url": _("Webhook URLs must use https.")})
    host = parts.hostname
    try:
        addresses = [host] if _is_ip(host) else resolve(host, parts.port or 443)
    except (socket.gaierror, UnicodeError):
        raise ValidationError({"url": _("%(host)s does not resolve.") % {"host": host}}) from None
    if not addresses or not all(_public(address) for address in addresses):
        raise ValidationError({"url": _("%(host)s points at a private, loopback or reserved address.") % {"host": host}})


def resolve(host: str, port: int) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
