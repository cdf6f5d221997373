"""WEBSOCKET_URL: where pages open their sockets when production serves them on a port of their own."""

import pytest
from channels.security.websocket import AllowedHostsOriginValidator
from django.test import RequestFactory

from omnivibe.websockets import websocket_base, websocket_origins


@pytest.mark.parametrize(
    ("setting", "host", "secure", "expected"),
    [
        ("", "example.com:8000", False, ""),
        (":8001", "example.com:8000", False, "ws://example.com:8001"),
        (":8001", "example.com", True, "wss://example.com:8001"),
        (":8001", "[::1]:8000", False, "ws://[::1]:8001"),
        ("wss://live.example.com", "example.com", True, "wss://live.example.com"),
    ],
)
def test_pages_are_told_where_the_sockets_are(settings, setting, host, secure, expected):
    settings.WEBSOCKET_URL, settings.ALLOWED_HOSTS = setting, ["example.com", "::1", "[::1]"]
    request = RequestFactory().get("/", HTTP_HOST=host, secure=secure)
    assert websocket_base(request) == {"websocket_base": expected}


def test_the_content_security_policy_lets_pages_connect_there():
    assert websocket_origins("", ["example.com"]) == []
    assert websocket_origins("wss://live.example.com", ["example.com"]) == ["wss://live.example.com"]
    assert websocket_origins(":8001", ["example.com", ".example.org"]) == [
        "ws://example.com:8001", "wss://example.com:8001",
        "ws://*.example.org:8001", "wss://*.example.org:8001", "ws://example.org:8001", "wss://example.org:8001",
    ]  # fmt: skip


async def test_a_page_on_another_port_of_an_allowed_host_passes_the_origin_check(settings):
    """The page is served on :8000 and opens its socket on :8001: Channels compares host names, not ports."""
    settings.ALLOWED_HOSTS = ["example.com"]
    accepted = []

    async def app(scope, receive, send):
        accepted.append(scope["headers"])

    sent = []

    async def send(message):
        sent.append(message["type"])

    validator = AllowedHostsOriginValidator(app)
    for origin in (b"http://example.com:8000", b"http://evil.example:8000"):
        messages = iter([{"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1000}])

        async def receive(messages=messages):
            return next(messages)

        scope = {"type": "websocket", "path": "/ws/jobs/x/", "headers": [(b"origin", origin)]}
        await validator(scope, receive, send)
    assert accepted == [[(b"origin", b"http://example.com:8000")]]
    assert sent == ["websocket.close"]  # the other host is refused
