"""A local fake of the Google endpoints publishing uses, as documented: the OAuth 2.0 token and revoke endpoints,
YouTube Data API v3 `channels.list`, `videos.list part=statistics`, YouTube Analytics v2 `reports.query`, and
`videos.insert` as a resumable upload
(initiate, PUT chunks with Content-Range, the `bytes */total` status query answered 308 with Range).
google-api-python-client and google-auth talk to it with their packaged discovery document; nothing leaves the
machine.

Knobs: `drops` (chunk PUTs that break after half their bytes, no answer), `quota` (403 quotaExceeded on insert
and list), `statistics` (video id -> its statistics as YouTube spells them, e.g. {"viewCount": "12"}),
`watch` (video id -> (estimatedMinutesWatched, averageViewDuration)), `analytics_refused` (403 insufficient
permissions on Analytics), `server_errors` (503 answers to chunk PUTs), `granted_scope` (a consent with a box
left unticked).
Access tokens the fake has not issued are answered 401, as Google answers an expired one.
"""

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

from tests.fake_http import serve

CLIENT_ID = "fake-client.apps.googleusercontent.com"
CLIENT_SECRET = "fake-client-secret"
GOOD_CODE = "4/good-code"
CHANNEL = {"id": "UCfakechannel0001", "snippet": {"title": "Tea Time Channel"}}


@dataclass
class FakeGoogle:
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    # One chunk or status query at a time: a slow handler of a dropped chunk must not write after a later
    # status query was answered (a loaded CI machine interleaved them).
    upload_lock: threading.Lock = field(default_factory=threading.Lock)
    refresh_tokens: set[str] = field(default_factory=set)
    access_tokens: set[str] = field(default_factory=set)
    issued: int = 0
    revoked: list[str] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    videos: list[dict[str, Any]] = field(default_factory=list)
    status_queries: int = 0
    statistics: dict[str, dict[str, str]] = field(default_factory=dict)
    list_requests: list[dict[str, list[str]]] = field(default_factory=list)
    watch: dict[str, tuple[float, float]] = field(default_factory=dict)
    report_requests: list[dict[str, list[str]]] = field(default_factory=list)
    analytics_refused: bool = False
    drops: int = 0
    quota: bool = False
    server_errors: int = 0
    granted_scope: str = ""  # the scopes the token answer lists (empty: none listed, i.e. all asked)

    def grant(self, refresh_token: str = "1//refresh-known") -> str:
        """A refresh token Google knows (a channel connected earlier)."""
        self.refresh_tokens.add(refresh_token)
        return refresh_token

    def new_access_token(self) -> str:
        with self.lock:
            self.issued += 1
            token = f"ya29.fake-{self.issued}"
            self.access_tokens.add(token)
            return token


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGoogle
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _authorised(self) -> bool:
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        if token in self.fake.access_tokens:
            return True
        self._send(401, {"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                                   "errors": [{"reason": "authError", "message": "Invalid Credentials"}]}})  # fmt: skip
        return False

    def _quota_exceeded(self) -> None:
        self._send(403, {"error": {"code": 403, "message": "The request cannot be completed because "
            "you have exceeded your quota.", "errors": [{"reason": "quotaExceeded", "domain": "youtube.quota",
            "message": "The request cannot be completed because you have exceeded your quota."}]}})  # fmt: skip

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/youtube/v3/channels":
            if self._authorised():
                self._send(200, {"kind": "youtube#channelListResponse", "items": [CHANNEL]})
            return
        if url.path == "/youtube/v3/videos":
            query = parse_qs(url.query)
            self.fake.list_requests.append(query)
            if not self._authorised():
                return None
            if self.fake.quota:
                return self._quota_exceeded()
            ids = ",".join(query.get("id", [])).split(",")
            items = [{"kind": "youtube#video", "id": video_id, "statistics": self.fake.statistics[video_id]}
                     for video_id in ids if video_id in self.fake.statistics]  # fmt: skip
            return self._send(200, {"kind": "youtube#videoListResponse", "items": items})
        if url.path == "/v2/reports":
            query = parse_qs(url.query)
            self.fake.report_requests.append(query)
            if not self._authorised():
                return None
            if self.fake.analytics_refused:
                return self._send(403, {"error": {"code": 403, "message": "Insufficient permission.",
                                                  "errors": [{"reason": "insufficientPermissions"}]}})  # fmt: skip
            ids = query.get("filters", [""])[0].removeprefix("video==").split(",")
            headers = [{"name": "video", "columnType": "DIMENSION", "dataType": "STRING"},
                       {"name": "estimatedMinutesWatched", "columnType": "METRIC", "dataType": "INTEGER"},
                       {"name": "averageViewDuration", "columnType": "METRIC", "dataType": "INTEGER"}]  # fmt: skip
            rows = [[video_id, *self.fake.watch[video_id]] for video_id in ids if video_id in self.fake.watch]
            return self._send(200, {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers, "rows": rows})
        self._send(404, {"error": {"code": 404, "message": "Not found"}})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/token":
            form = {key: values[0] for key, values in parse_qs(self._body().decode()).items()}
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):  # client credentials may come as HTTP Basic (RFC 6749 2.3.1)
                client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
                form.update(client_id=unquote_plus(client_id), client_secret=unquote_plus(secret))
            return self._token(form)
        if url.path == "/revoke":
            self.fake.revoked.append(parse_qs(self._body().decode()).get("token", [""])[0])
            return self._send(200, {})
        if url.path == "/upload/youtube/v3/videos" and "resumable" in url.query:
            metadata = json.loads(self._body() or b"{}")
            if not self._authorised():
                return None
            if self.fake.quota:
                return self._quota_exceeded()
            upload_id = f"up{len(self.fake.uploads) + 1}"
            self.fake.uploads[upload_id] = {"metadata": metadata, "query": parse_qs(url.query), "data": bytearray()}
            location = f"{self.fake.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id={upload_id}"
            return self._send(200, headers={"Location": location})
        self._send(404, {"error": {"code": 404, "message": "Not found"}})

    def do_PUT(self) -> None:
        body = self._body()
        with self.fake.upload_lock:
            self._put(body)

    def _put(self, body: bytes) -> None:
        query = parse_qs(urlsplit(self.path).query)
        upload = self.fake.uploads.get(query.get("upload_id", [""])[0])
        if upload is None:
            return self._send(404, {"error": {"code": 404, "message": "No such upload"}})
        received = upload["data"]
        content_range = self.headers.get("Content-Range", "")
        status_query = re.fullmatch(r"bytes \*/(\d+)", content_range)
        if status_query:
            self.fake.status_queries += 1
            return self._send(308, headers={"Range": f"bytes=0-{len(received) - 1}"} if received else {})
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", content_range)
        if not match or int(match[1]) > len(received):
            return self._send(400, {"error": {"code": 400, "message": f"Bad Content-Range {content_range!r}"}})
        start, total = int(match[1]), match[3]
        if self.fake.server_errors:
            self.fake.server_errors -= 1
            return self._send(
                503, {"error": {"code": 503, "message": "Backend Error", "errors": [{"reason": "backendError"}]}}
            )
        if self.fake.drops:
            # The connection breaks mid-chunk: half of it arrived, no answer.
            self.fake.drops -= 1
            received[start:] = body[: len(body) // 2]
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        received[start:] = body
        if total != "*" and len(received) == int(total):
            video = {"kind": "youtube#video", "id": f"vid{len(self.fake.videos) + 1:03d}", **upload["metadata"]}
            video["bytes"] = bytes(received)
            self.fake.videos.append(video)
            return self._send(200, {key: value for key, value in video.items() if key != "bytes"})
        self._send(308, headers={"Range": f"bytes=0-{len(received) - 1}"})

    def _token(self, form: dict[str, str]) -> None:
        self.fake.token_requests.append(form)
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return self._send(401, {"error": "invalid_client", "error_description": "The OAuth client was not found."})
        if form.get("grant_type") == "authorization_code":
            if form.get("code") != GOOD_CODE or not form.get("code_verifier"):
                return self._send(400, {"error": "invalid_grant", "error_description": "Malformed auth code."})
            refresh = self.fake.grant(f"1//refresh-{len(self.fake.refresh_tokens) + 1}")
            answer = {"access_token": self.fake.new_access_token(), "expires_in": 3599, "refresh_token": refresh,
                      "token_type": "Bearer"}  # fmt: skip
            if self.fake.granted_scope:
                answer["scope"] = self.fake.granted_scope
            return self._send(200, answer)
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.fake.refresh_tokens:
                return self._send(
                    400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
                )
            return self._send(
                200, {"access_token": self.fake.new_access_token(), "expires_in": 3599, "token_type": "Bearer"}
            )
        self._send(400, {"error": "unsupported_grant_type"})


def start() -> tuple[FakeGoogle, ThreadingHTTPServer]:
    fake = FakeGoogle()
    handler = type("Handler", (_Handler,), {"fake": fake})
    server, fake.url = serve(handler)
    return fake, server
