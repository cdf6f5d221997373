"""Where webhooks may go: never into our own network (SSRF), unless settings allow it (development, tests)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


def private_target(url: str, *, resolve: bool) -> str | None:
    """Why `url` must not receive webhooks (it is, or resolves to, a loopback, private, link-local or
    reserved address), or None. Without `resolve`, only literal addresses and localhost are judged."""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return None
    host = (urlsplit(url).hostname or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return "the callback URL points at this server"
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        if not resolve:
            return None
        try:
            addresses = [ipaddress.ip_address(info[4][0]) for info in socket.getaddrinfo(host, None)]
        except (OSError, ValueError):
            return f"the callback host {host!r} cannot be resolved"
    if any(not address.is_global for address in addresses):
        return "the callback URL points at a private or reserved address"
    return None
