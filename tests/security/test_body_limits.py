"""Attacks with huge request bodies, against the real web servers: granian's WSGI as production serves HTTP
(runstack.granian_wsgi_command), granian's ASGI as it serves WebSockets (runstack.granian_command, which answers
HTTP too) and daphne (`python -m omnivibe.serve`, the development run).

The server must stop reading a body as soon as it is over its path's limit: a declared Content-Length at once,
a chunked body (no length declared) after the limit, long before the client has sent it all.
"""

import io
import json
import select
import socket
import time

import httpx
import numpy as np
import pytest

from api.keys import create_key
from omnivibe.body_limits import BodyLimitMiddleware, WSGIBodyLimit, limit_for
from omnivibe.management.commands.runstack import granian_command, granian_wsgi_command
from tests.factories import api_workspace
from tests.security.servers import free_port, manage, running, server_env
from voices.services import wav_bytes

MB = 1024 * 1024
pytestmark = pytest.mark.django_db(transaction=True)  # the server shares the test database


@pytest.fixture(scope="module", params=["granian-wsgi", "granian", "daphne"])
def server(request, tmp_path_factory, redis_url):
    port = free_port()
    var_dir = tmp_path_factory.mktemp("var")
    if request.param == "granian-wsgi":
        command = [*manage()[:1], *granian_wsgi_command("127.0.0.1", port, 1, 2)[1:]]
    elif request.param == "granian":
        command = [*manage()[:1], *granian_command("127.0.0.1", port, 1)[1:]]
    else:
        command = [*manage()[:1], "-m", "omnivibe.serve", "-p", str(port), "omnivibe.asgi:application"]
    with running(
        command, server_env(var_dir, REDIS_URL=redis_url), port, var_dir / "web.log", health="/accounts/login/"
    ) as url:
        yield port, url


def read_response(sock: socket.socket) -> tuple[int | None, bytes]:
    """The status and body the server sent, or (None, b"") when it only closed the connection."""
    sock.settimeout(10)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    if not data:
        return None, b""
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def post_chunked(port: int, path: str, total: int) -> tuple[int | None, bytes, int, float]:
    """Stream `total` bytes as a chunked body from a generator; stop when the server answers or stops reading."""
    piece = b"x" * (64 * 1024)
    chunk = b"%x\r\n%s\r\n" % (len(piece), piece)
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/octet-stream\r\n\r\n".encode()
    )
    started, sent = time.monotonic(), 0
    try:
        while sent < total:
            readable, writable, _ = select.select([sock], [sock], [], 5)
            if readable or not writable:  # an answer came, or the server stopped reading and the buffers are full
                break
            sock.sendall(chunk)
            sent += len(piece)
        else:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    status, body = read_response(sock)
    sock.close()
    return status, body, sent, time.monotonic() - started


def test_a_chunked_200_mb_post_to_the_login_page_is_refused_after_about_a_megabyte(server):
    port, _ = server
    status, body, sent, seconds = post_chunked(port, "/accounts/login/", 200 * MB)
    assert status in (413, None), status  # a friendly 413 page, or at worst a closed connection
    if status == 413:
        assert b"too large" in body
    assert sent < 20 * MB, f"the server kept reading: {sent / MB:.0f} MB sent"
    assert seconds < 15


def test_a_chunked_200_mb_post_to_the_api_gets_the_json_error(server):
    port, _ = server
    status, body, sent, _ = post_chunked(port, "/api/v1/jobs", 200 * MB)
    assert sent < 20 * MB
    if status is not None:
        assert status == 413 and json.loads(body)["error"]["code"] == "request_too_large"


def test_a_declared_content_length_over_the_limit_is_refused_before_any_body_is_sent(server):
    port, _ = server
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            f"POST /v1/audio/speech HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {50 * MB}\r\n\r\n".encode()
        )
        status, body = read_response(sock)  # not one body byte sent
    assert status == 413
    error = json.loads(body)["error"]
    assert error["code"] == "request_too_large" and "1 MB" in error["message"]


def test_an_upload_over_its_own_limit_is_refused_with_a_page_for_people(server):
    _, url = server
    response = httpx.post(f"{url}/studio/voices/new/", content=b"x" * (30 * MB), timeout=30)
    assert response.status_code == 413 and "text/html" in response.headers["content-type"]
    assert "21 MB" in response.text


def test_a_normal_upload_bigger_than_the_json_limit_still_works(server, owner):
    _, url = server
    key = create_key(api_workspace(owner), name="upload", user=owner)[1]
    rate = 24000
    t = np.arange(31 * rate) / rate
    sample = wav_bytes(
        (0.2 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2).astype(np.float32), rate
    )
    assert len(sample) > 1 * MB  # over the JSON limit: only the upload limit lets it in
    response = httpx.post(
        f"{url}/api/v1/speakers",
        headers={"Authorization": f"Bearer {key}"},
        data={"name": "Me"},
        files={"sample": ("me.wav", sample, "audio/wav")},
        timeout=60,
    )
    assert response.status_code == 201, response.text


async def test_behind_a_streaming_server_the_asgi_guard_stops_reading_after_the_limit():
    """uvicorn or runserver hand the body over in chunks: the application must not read past the limit."""
    received = 0

    async def endless_body():
        nonlocal received
        received += 64 * 1024
        return {"type": "http.request", "body": b"x" * (64 * 1024), "more_body": True}

    async def app_reading_everything(scope, receive, send):
        while (await receive())["more_body"]:
            pass

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": "/accounts/login/", "headers": [(b"transfer-encoding", b"chunked")]}
    await BodyLimitMiddleware(app_reading_everything)(scope, endless_body, send)
    assert sent[0]["status"] == 413 and b"too large" in sent[1]["body"]
    assert received <= 1 * MB + 64 * 1024


def test_only_the_upload_paths_take_more_than_the_json_limit(settings):
    assert limit_for("/api/v1/renders") == limit_for("/accounts/login/") == limit_for("/admin/login/") == 1 * MB
    assert limit_for("/api/v1/speakers") == limit_for("/studio/voices/3/") == settings.UPLOAD_MAX_BYTES["voice_sample"]
    assert limit_for("/studio/campaigns/new/") == settings.UPLOAD_MAX_BYTES["campaign_media"]
    assert limit_for("/jobs/6f1c2b1e-0000-4000-8000-000000000000/storyboard/scenes/2/") == 51 * MB
    assert limit_for("/admin/voices/voice/7/change/") == settings.UPLOAD_MAX_BYTES["admin"]
    assert limit_for("/studio/series/") == limit_for("/api/v1/series") == settings.SERIES_MAX_UPLOAD_BYTES + 64 * 1024


def test_under_wsgi_a_chunked_body_within_the_limit_reaches_django_whole():
    """Django reads a WSGI body only as far as CONTENT_LENGTH: the guard, having read it, says how long it was."""
    seen = {}

    def app(environ, start_response):
        seen["length"] = environ["CONTENT_LENGTH"]
        seen["body"] = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        start_response("200 OK", [])
        return [b""]

    environ = {"PATH_INFO": "/api/v1/jobs", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"y" * 5000)}
    WSGIBodyLimit(app)(dict(environ), lambda status, headers: None)
    assert seen == {"length": "5000", "body": b"y" * 5000}
    statuses = []
    environ = {**environ, "wsgi.input": io.BytesIO(b"y" * 2 * MB)}
    body = WSGIBodyLimit(app)(environ, lambda status, headers: statuses.append(status))
    assert statuses == ["413 Content Too Large"] and b"request_too_large" in body[0]
