"""The client's IP address, the same way everywhere (allauth's limits, API throttling, the admin lockout).

Behind `TRUSTED_PROXY_COUNT` proxies, the client is the address the outermost of them saw: the entry that many
places from the right of X-Forwarded-For (entries further left were written by the client and prove nothing).
With no trusted proxy (the default) the header is ignored: anyone can send it.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(count, len(hops))]  # as DRF's NUM_PROXIES reads it
    return request.META.get("REMOTE_ADDR")
