"""Where pages open their WebSockets (live progress): `WEBSOCKET_URL`.

Production serves HTTP through WSGI and WebSockets through an ASGI process on a port of its own (`runstack
--serve`, docker-compose's `live` service): WSGI runs each request on one thread from start to end, where ASGI
hopped to Django's one sync thread per process for every view. The setting says where the sockets are:
- "" (the default): the page's own origin; development (daphne serves both), or a proxy in front that routes
  /ws/ to the ASGI process.
- ":8001": the page's host on that port (ws:// or wss:// as the page). Cookies are not scoped by port, so the
  session reaches the socket, and Channels' origin check compares host names only.
- an origin, e.g. "wss://live.example.com" (one of ALLOWED_HOSTS, and a host the session cookie is sent to).
"""

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port


def websocket_base(request: HttpRequest) -> dict[str, str]:
    """Template context: `websocket_base`, prefixed to a socket's path ("" for the page's own origin)."""
    url = settings.WEBSOCKET_URL
    if url.startswith(":"):
        host, _ = split_domain_port(request.get_host())  # an IPv6 address keeps its brackets
        url = f"{'wss' if request.is_secure() else 'ws'}://{host}{url}"
    return {"websocket_base": url}


def websocket_origins(url: str, allowed_hosts: list[str]) -> list[str]:
    """The Content-Security-Policy's connect-src for WEBSOCKET_URL: the port on each allowed host, or the origin."""
    if not url:
        return []  # 'self' covers the page's own origin
    if not url.startswith(":"):
        return [url]
    origins = []
    for host in allowed_hosts:
        # ".example.com" allows the domain and its subdomains; CSP's "*.example.com" only the subdomains.
        patterns = [f"*{host}", host[1:]] if host.startswith(".") else [host]
        origins += [f"{scheme}://{pattern}{url}" for pattern in patterns for scheme in ("ws", "wss")]
    return origins
