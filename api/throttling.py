from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiKey


class ApiKeyThrottle(SimpleRateThrottle):
    """Requests per API key; the rate (e.g. "120/min") is read from settings on each request, so tests can change it."""

    scope = "api_key"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATE

    def allow_request(self, request: Request, view: object) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: object) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None
        return f"throttle:api:{request.auth.prefix}"
