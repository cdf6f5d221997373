"""One log line per request, and a request id on every line logged while it is served; WebSocket connections
are logged by `WebSocketLog` (connected or rejected, then disconnected), whatever server runs the application.

The id comes from the `X-Request-ID` header when a proxy in front set a sane one (so its logs and ours match),
else a new one; the response carries it back. The line names method, path (never the query string: signed
download links carry their signature there), status and duration; the workspace is added once the access rule
has bound it. Health checks and scrapes are logged at DEBUG: they come every few seconds.
"""

import logging
import re
import time
import uuid
from inspect import iscoroutinefunction

import structlog
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import sync_and_async_middleware

log = structlog.stdlib.get_logger("omnivibe.request")
websocket_log = logging.getLogger("omnivibe.websocket")
HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,100}")
_QUIET_PATHS = ("/healthz", "/metrics")


def _start(request: HttpRequest) -> float:
    presented = request.headers.get(HEADER, "")
    request.request_id = presented if _SANE_ID.fullmatch(presented) else uuid.uuid4().hex
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request.request_id)
    return time.perf_counter()


def _finish(request: HttpRequest, response: HttpResponse, started: float) -> HttpResponse:
    response[HEADER] = request.request_id
    log.log(
        logging.DEBUG if request.path in _QUIET_PATHS else logging.INFO,
        "request",
        method=request.method,
        path=request.path,
        status=response.status_code,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
    )
    # Left bound: Django logs a 4xx/5xx ("Not Found: …") after the middleware returned, and it should carry the
    # id too. Each ASGI request runs in a context of its own; a thread (WSGI, tests) is cleared by its next request.
    return response


@sync_and_async_middleware
def request_log(get_response):
    # Both flavours, so the ASGI server never hops to a thread just for this.
    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponse:
            started = _start(request)
            return _finish(request, await get_response(request), started)

    else:

        def middleware(request: HttpRequest) -> HttpResponse:
            started = _start(request)
            return _finish(request, get_response(request), started)

    return middleware


class WebSocketLog:
    """ASGI, around the WebSocket routes: a line when a socket is accepted or refused, and one when it closes."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        path, accepted = scope["path"], False

        async def logged_send(message: dict) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept":
                accepted = True
                websocket_log.info("websocket connected", extra={"path": path})
            elif message["type"] == "websocket.close" and not accepted:
                websocket_log.info("websocket rejected", extra={"path": path})
            await send(message)

        try:
            return await self.app(scope, receive, logged_send)
        finally:
            if accepted:
                websocket_log.info("websocket disconnected", extra={"path": path})
