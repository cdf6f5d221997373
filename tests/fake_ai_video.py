"""A local fake of Runway's and HeyGen's video APIs: long-running generations shaped as their documentation
shows, finishing after a few polls, and the clips they link to (small real MP4 files made with ffmpeg).

Runway lives under /runway (`POST /v1/text_to_video`, `GET /v1/tasks/{id}`), HeyGen under /heygen
(`POST /v2/video/generate`, `GET /v1/video_status.get`) and /heygen-upload (`POST /v1/asset`); files under
/files/. `fail` makes generations end FAILED; `status` answers every call with that HTTP status; `corrupt`
serves bytes that are no video; `never` keeps every task running.
"""

import itertools
import json
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fake_http import FakeHandler, serve
from tests.fake_stock import tiny_mp4

RUNWAY_KEY = "key_runway-test-0123456789"
HEYGEN_KEY = "heygen-test-key-0123456789"
POLLS_UNTIL_DONE = 2


@dataclass
class FakeAIVideo:
    url: str = ""
    colour: str = "red"  # the colour of every clip made
    fail: bool = False
    status: int | None = None
    corrupt: bool = False
    never: bool = False
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {"polls", "body", "provider"}
    uploads: list[bytes] = field(default_factory=list)  # audio assets HeyGen was sent
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    _ids: Any = field(default_factory=itertools.count)

    @property
    def runway_url(self) -> str:
        return f"{self.url}/runway"

    @property
    def heygen_url(self) -> str:
        return f"{self.url}/heygen"

    @property
    def heygen_upload_url(self) -> str:
        return f"{self.url}/heygen-upload"

    def submitted(self, provider: str) -> list[dict[str, Any]]:
        return [task["body"] for task in self.tasks.values() if task["provider"] == provider]

    def new_task(self, provider: str, body: Any) -> str:
        task_id = f"{provider}-task-{next(self._ids)}"
        self.tasks[task_id] = {"polls": 0, "body": body, "provider": provider}
        return task_id

    def poll(self, task_id: str) -> tuple[str, float]:
        """(phase, progress): "running", "done" or "failed"."""
        task = self.tasks[task_id]
        task["polls"] += 1
        if self.never or task["polls"] < POLLS_UNTIL_DONE:
            return "running", task["polls"] / (POLLS_UNTIL_DONE + 1)
        return ("failed" if self.fail else "done"), 1.0


def _handler_for(fake: FakeAIVideo) -> type[FakeHandler]:
    class Handler(FakeHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            fake.requests.append(("GET", parts.path))
            if parts.path.startswith("/files/"):
                content = b"\x00\x00\x00\x18ftypmp42 not really a video" if fake.corrupt else tiny_mp4(fake.colour)
                return self._send(200, content, "video/mp4")
            if self._refused(parts.path):
                return None
            if parts.path.startswith("/runway/v1/tasks/"):
                task_id = parts.path.rsplit("/", 1)[1]
                if task_id not in fake.tasks:
                    return self._json(404, {"error": "Task not found"})
                phase, progress = fake.poll(task_id)
                answer: dict[str, Any] = {"id": task_id, "createdAt": "2026-12-01T12:00:00.000Z"}
                if phase == "running":
                    answer |= {"status": "RUNNING", "progress": round(progress, 2)}
                elif phase == "failed":
                    answer |= {"status": "FAILED", "failure": "Content moderation", "failureCode": "SAFETY.INPUT"}
                else:
                    answer |= {"status": "SUCCEEDED", "output": [f"{fake.url}/files/{task_id}.mp4"]}
                return self._json(200, answer)
            if parts.path == "/heygen/v1/video_status.get":
                video_id = parse_qs(parts.query).get("video_id", [""])[0]
                if video_id not in fake.tasks:
                    return self._json(404, {"code": 400, "message": "video not found"})
                phase, _ = fake.poll(video_id)
                data: dict[str, Any] = {"id": video_id, "status": "processing", "video_url": None, "error": None}
                if phase == "failed":
                    data |= {"status": "failed", "error": {"code": 40119, "message": "Audio too short"}}
                elif phase == "done":
                    data |= {"status": "completed", "video_url": f"{fake.url}/files/{video_id}.mp4", "duration": 1}
                return self._json(200, {"code": 100, "data": data, "message": "Success"})
            return self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            fake.requests.append(("POST", parts.path))
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            if self._refused(parts.path):
                return None
            if parts.path == "/runway/v1/text_to_video":
                if self.headers.get("x-runway-version") != "2024-11-06":
                    return self._json(400, {"error": "Missing or invalid X-Runway-Version header"})
                request = json.loads(body)
                if not {"model", "promptText", "ratio", "duration"} <= set(request):
                    return self._json(400, {"error": "Invalid request"})
                return self._json(200, {"id": fake.new_task("runway", request)})
            if parts.path == "/heygen-upload/v1/asset":
                if self.headers.get("content-type") != "audio/mpeg" or not body:
                    return self._json(400, {"code": 400543, "message": "asset data must be provided"})
                fake.uploads.append(body)
                asset = {"id": f"asset-{len(fake.uploads)}", "name": "narration", "file_type": "audio", "url": ""}
                return self._json(200, {"code": 100, "data": asset, "msg": None, "message": None})
            if parts.path == "/heygen/v2/video/generate":
                request = json.loads(body)
                voice = request["video_inputs"][0]["voice"]
                if voice.get("type") != "audio" or voice.get("audio_asset_id") is None:
                    return self._json(400, {"error": {"code": "invalid_parameter", "message": "voice"}, "data": None})
                return self._json(200, {"error": None, "data": {"video_id": fake.new_task("heygen", request)}})
            return self._json(404, {"error": "not found"})

        def _refused(self, path: str) -> bool:
            """The key check (and a forced status): True when the request was answered already."""
            if fake.status is not None:
                self._json(fake.status, {"error": f"forced {fake.status}"})
                return True
            if path.startswith("/runway/"):
                ok = self.headers.get("authorization") == f"Bearer {RUNWAY_KEY}"
            else:
                ok = self.headers.get("x-api-key") == HEYGEN_KEY
            if not ok:
                self._json(401, {"error": "Unauthorized"})
            return not ok

    return Handler


def start(fake: FakeAIVideo) -> ThreadingHTTPServer:
    server, fake.url = serve(_handler_for(fake))
    return server
