"""Where webhooks may go: never into our own network (SSRF), unless settings allow it (development, tests)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """The callback URL must not receive webhooks; the message says why, for the customer."""


def private_target(url: str, *, resolve: bool) -> str | None:
    """Why `url` must not receive webhooks (it is, or resolves to, a loopback, private, link-local or
    reserved address), or None. Without `resolve`, only literal addresses and localhost are judged."""
    try:
        if resolve:
            checked_address(url)
        else:
            _check_host(_host_of(url), resolve=False)
    except TargetRefused as refused:
        return str(refused)
    return None


def checked_address(url: str) -> str:
    """The one address a webhook for `url` connects to: resolved once and checked here, so a name that
    resolves elsewhere a moment later (DNS rebinding) cannot move the request into our network."""
    addresses = _check_host(_host_of(url), resolve=True)
    return str(addresses[0])


def _host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").strip("[]").lower()


def _check_host(host: str, *, resolve: bool) -> list[IPAddress]:
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and (host == "localhost" or host.endswith(".localhost")):
        raise TargetRefused("the callback URL points at this server")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        if not resolve:
            return []
        try:
            addresses = [ipaddress.ip_address(info[4][0]) for info in socket.getaddrinfo(host, None)]
        except (OSError, ValueError):
            raise TargetRefused(f"the callback host {host!r} cannot be resolved") from None
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and not all(_allowed(address) for address in addresses):
        raise TargetRefused("the callback URL points at a private or reserved address")
    return addresses


def _allowed(address: IPAddress) -> bool:
    if address.is_global:
        return True
    return any(address in network for network in settings.WEBHOOK_ALLOWED_NETWORKS)
