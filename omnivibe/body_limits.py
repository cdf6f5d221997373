"""Request bodies are limited at the door: a body over its path's limit is answered 413 while it arrives.

JSON APIs and forms without files get `REQUEST_MAX_BYTES`; the few upload forms get their kind's limit from
`UPLOAD_MAX_BYTES`. Two places enforce it, both with this module's limits and answer:
- `omnivibe.serve` (what `runstack` and the Dockerfile run): daphne's Twisted request counts the body while it
  is received, because Twisted reads the whole body (spooling it to a temporary file) before daphne hands the
  request to the application; an ASGI middleware alone would run only after that.
- `BodyLimitMiddleware` around the ASGI application: for servers that stream the body to the application
  (granian's ASGI, uvicorn, `runserver`), and as a second check behind daphne.
- `WSGIBodyLimit` around the WSGI application (production HTTP: granian's WSGI, which hands the body over as
  the application reads it).
"""

import html
import json
import re
import tempfile

from django.conf import settings

CHUNK_BYTES = 64 * 1024
JSON_PREFIXES = ("/api/", "/v1/")
_UPLOAD_PATHS = [
    (re.compile(r"^/studio/voices/(new|\d+)/$"), "voice_sample"),
    (re.compile(r"^/api/v1/speakers(/[^/]+)?/?$"), "voice_sample"),
    (re.compile(r"^/studio/campaigns/(new|\d+)/$"), "campaign_media"),
    (re.compile(r"^/jobs/[0-9a-f-]+/storyboard/scenes/\d+/$"), "scene_media"),
    (re.compile(r"^/studio/series/$"), "series"),
    (re.compile(r"^/api/v1/series/?$"), "series"),
    (re.compile(r"^/admin/\w+/\w+/(add|[^/]+/change)/$"), "admin"),  # staff edit samples, logos and music here
]


def limit_for(path: str) -> int:
    for pattern, kind in _UPLOAD_PATHS:
        if pattern.match(path):
            return settings.UPLOAD_MAX_BYTES[kind]
    return settings.REQUEST_MAX_BYTES


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g} MB"


def too_large(path: str, limit: int) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The 413 answer: the API's JSON error shape under /api and /v1, a short page for people elsewhere."""
    message = f"The request body is too large; the limit here is {_megabytes(limit)}."
    if path.startswith(JSON_PREFIXES):
        content_type = b"application/json"
        body = json.dumps({"error": {"code": "request_too_large", "message": message, "details": {"limit": limit}}})
    else:
        content_type = b"text/html; charset=utf-8"
        body = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>File too large · OmniVibe</title></head>"
            f"<body><h1>That was too large</h1><p>{html.escape(message)} Go back, choose a smaller file "
            "and try again.</p></body></html>"
        )
    data = body.encode()
    headers = [(b"content-type", content_type), (b"content-length", str(len(data)).encode()), (b"connection", b"close")]
    return 413, headers, data


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """ASGI: refuse a declared Content-Length over the limit at once, and stop reading a body that grows past it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, limit = scope["path"], limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > limit:
            return await self._refuse(path, limit, send)
        received = 0
        response_started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message):
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await self._refuse(path, limit, send)

    @staticmethod
    async def _refuse(path: str, limit: int, send) -> None:
        status, headers, body = too_large(path, limit)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class WSGIBodyLimit:
    """WSGI: refuse a declared Content-Length over the limit at once; read any other body here, before Django, and
    answer 413 as soon as it grows past the limit (as Django's ASGI handler spools a body before the view runs).

    Django reads a WSGI body only as far as Content-Length says, so a chunked body reaches it with the length it had.
    """

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        declared = environ.get("CONTENT_LENGTH") or "0"
        if declared == "0" and "HTTP_TRANSFER_ENCODING" not in environ:
            return self.app(environ, start_response)  # no body: most requests
        path = environ.get("PATH_INFO", "")
        limit = limit_for(path)
        if not declared.isdigit() or int(declared) > limit:
            return self._refuse(path, limit, start_response)
        # Open while Django reads it; freed with the request (as Django's ASGI handler does with its own).
        body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        stream, size = environ["wsgi.input"], 0
        while chunk := stream.read(min(CHUNK_BYTES, limit + 1 - size)):
            size += len(chunk)
            if size > limit:
                body.close()
                return self._refuse(path, limit, start_response)
            body.write(chunk)
        body.seek(0)
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = body, str(size)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

    @staticmethod
    def _refuse(path: str, limit: int, start_response) -> list[bytes]:
        status, headers, body = too_large(path, limit)
        start_response(f"{status} Content Too Large", [(name.decode(), value.decode()) for name, value in headers])
        return [body]
