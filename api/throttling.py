"""Rate limits: per API key, and per client address for requests without a valid key.

Every throttled API response says where it stands: `X-RateLimit-Limit` (requests per window),
`X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix time at which the oldest request in the window
stops counting, so one more is allowed).
"""

import math

from django.conf import settings
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiKey


class RateLimitHeadersThrottle(SimpleRateThrottle):
    """A throttle that puts its figures on the view's response (DRF copies `view.headers` onto it)."""

    def allow_request(self, request: Request, view: object) -> bool:
        allowed = super().allow_request(request, view)
        if getattr(self, "key", None) is not None and hasattr(view, "headers"):
            view.headers.update(self.rate_limit_headers())
        return allowed

    def rate_limit_headers(self) -> dict[str, str]:
        oldest = self.history[-1] if self.history else self.now
        return {
            "X-RateLimit-Limit": str(self.num_requests),
            "X-RateLimit-Remaining": str(max(0, self.num_requests - len(self.history))),
            "X-RateLimit-Reset": str(math.ceil(oldest + self.duration)),
        }


class ApiKeyThrottle(RateLimitHeadersThrottle):
    """Requests per API key; the rate (e.g. "120/min") is read from settings on each request, so tests can change it."""

    scope = "api_key"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: object) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None
        return f"throttle:api:{request.auth.prefix}"


class ClientAddressThrottle(RateLimitHeadersThrottle):
    """Requests without a valid key, per client address (DRF's `get_ident`: REMOTE_ADDR, or the address
    the trusted proxies saw, NUM_PROXIES): guessing keys costs 429s, not an endless stream of 401s."""

    scope = "api_client_address"

    def get_rate(self) -> str:
        return settings.API_ANONYMOUS_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: object) -> str:
        return f"throttle:api-address:{self.get_ident(request)}"


def count_request_without_key(request: Request) -> None:
    """Count a request that brought no valid key against its address; Throttled (429) past the limit."""
    throttle = ClientAddressThrottle()
    if not throttle.allow_request(request, request.parser_context.get("view")):
        raise Throttled(throttle.wait())
