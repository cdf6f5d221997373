"""Rate limits: per API key, and per client address for requests without a valid key.

Every throttled API response says where it stands: `X-RateLimit-Limit` (requests per window),
`X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix time at which the oldest request in the window
stops counting, so one more is allowed).
"""

import math
import uuid

from django.conf import settings
from django.core.cache import cache
from redis.commands.core import Script
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiKey

# A sliding window in one round trip: drop what left the window, count, take this request if there is room, and
# read the oldest request still counted, atomically. (DRF's throttle read the whole history list and wrote it back:
# two round trips and a pickled list of up to the limit's timestamps, and two requests at once could both pass.)
SLIDING_WINDOW = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  count, allowed = count + 1, 1
end
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
return {allowed, count, oldest or ARGV[1]}
"""
_scripts: dict[int, Script] = {}


class RateLimitHeadersThrottle(SimpleRateThrottle):
    """A sliding-window throttle in Redis (DRF's rate strings and Retry-After) that puts its figures on the view's
    response (DRF copies `view.headers` onto it)."""

    def allow_request(self, request: Request, view: object) -> bool:
        self.key = self.get_cache_key(request, view) if self.rate is not None else None
        if self.key is None:
            return True
        client, name = cache.redis(self.key)
        if (script := _scripts.get(id(client))) is None:
            script = _scripts[id(client)] = client.register_script(SLIDING_WINDOW)
        self.now = self.timer()
        allowed, self.count, oldest = script(
            keys=[name], args=[repr(self.now), self.duration, self.num_requests, uuid.uuid4().hex]
        )
        self.oldest = float(oldest)
        if hasattr(view, "headers"):
            view.headers.update(self.rate_limit_headers())
        return allowed == 1

    def wait(self) -> float | None:
        """As DRF: until the oldest request leaves the window, spread over the requests allowed by then."""
        available = self.num_requests - self.count + 1
        return (self.duration - (self.now - self.oldest)) / available if available > 0 else None

    def rate_limit_headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.num_requests),
            "X-RateLimit-Remaining": str(max(0, self.num_requests - self.count)),
            "X-RateLimit-Reset": str(math.ceil(self.oldest + self.duration)),
        }


class ApiKeyThrottle(RateLimitHeadersThrottle):
    """Requests per API key; the rate (e.g. "120/min") is read from settings on each request, so tests can change it."""

    scope = "api_key"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: object) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None
        return f"throttle-window:api:{request.auth.prefix}"


class ClientAddressThrottle(RateLimitHeadersThrottle):
    """Requests without a valid key, per client address (DRF's `get_ident`: REMOTE_ADDR, or the address
    the trusted proxies saw, NUM_PROXIES): guessing keys costs 429s, not an endless stream of 401s."""

    scope = "api_client_address"

    def get_rate(self) -> str:
        return settings.API_ANONYMOUS_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: object) -> str:
        return f"throttle-window:api-address:{self.get_ident(request)}"


def count_request_without_key(request: Request) -> None:
    """Count a request that brought no valid key against its address; Throttled (429) past the limit."""
    throttle = ClientAddressThrottle()
    if not throttle.allow_request(request, request.parser_context.get("view")):
        raise Throttled(throttle.wait())
