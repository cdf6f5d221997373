"""A local fake of the ElevenLabs HTTP API: the real SDK talks to it, nothing leaves the machine."""

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fake_http import FakeHandler, serve

API_KEY = "sk-test-secret-0123456789"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeElevenLabs:
    """Answers every request with the next queued (status, body) for its path; records what the SDK sent.

    Pronunciation dictionaries are kept as the documented API keeps them, unless an answer is queued for the
    path: POST /v1/pronunciation-dictionaries/add-from-rules creates one, .../{id}/set-rules replaces its
    rules; each change is a new version, every version kept (`dictionaries`: id -> version id -> rules);
    PATCH /v1/pronunciation-dictionaries/{id} archives it (`archived`).
    """

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    answers: dict[str, tuple[int, Any]] = field(default_factory=dict)
    delay: float = 0.0
    dictionaries: dict[str, dict[str, list[dict]]] = field(default_factory=dict)
    archived: set[str] = field(default_factory=set)
    # Speech made from each request's text, as 16-bit PCM at 22050 Hz (the narration bench: espeak-ng), for
    # paths without a queued answer; its alignment shares the audio among the characters evenly.
    speak: Callable[[str], bytes] | None = None

    def answer(self, path: str, status: int, body: Any) -> None:
        self.answers[path] = (status, body)

    def dictionary_answer(self, path: str, body: bytes) -> tuple[int, Any] | None:
        """The dictionary endpoints' answer, or None for a path they do not serve."""
        if path == "/v1/pronunciation-dictionaries/add-from-rules":
            request = json.loads(body)
            found = f"dict{len(self.dictionaries) + 1}"
            self.dictionaries[found] = {}
            return self._new_version(found, request["rules"], request["name"])
        archiving = re.fullmatch(r"/v1/pronunciation-dictionaries/([^/]+)", path)
        if archiving and archiving[1] != "add-from-rules":
            if archiving[1] not in self.dictionaries:
                return 404, {"detail": {"status": "pronunciation_dictionary_not_found"}}
            self.archived.add(archiving[1])
            return 200, {"id": archiving[1], "name": "", "created_by": "fake", "creation_time_unix": 0,
                         "latest_version_id": "", "latest_version_rules_num": 0, "archived_time_unix": 1}  # fmt: skip
        setting = re.fullmatch(r"/v1/pronunciation-dictionaries/([^/]+)/set-rules", path)
        if setting:
            if setting[1] not in self.dictionaries:
                return 404, {"detail": {"status": "pronunciation_dictionary_not_found"}}
            return self._new_version(setting[1], json.loads(body)["rules"], "")
        return None

    def speech_answer(self, path: str, body: bytes) -> tuple[int, Any] | None:
        """Speech made by `speak` for a text-to-speech path, or None."""
        if self.speak is None or not re.fullmatch(r"/v1/text-to-speech/[^/]+/with-timestamps", path):
            return None
        text = json.loads(body)["text"]
        audio = self.speak(text)
        step = len(audio) / 2 / 22050 / max(len(text), 1)
        starts = [round(index * step, 3) for index in range(len(text))]
        alignment = {
            "characters": list(text),
            "character_start_times_seconds": starts,
            "character_end_times_seconds": [round(start + step, 3) for start in starts],
        }
        return 200, {"audio_base64": base64.b64encode(audio).decode(), "alignment": alignment}

    def _new_version(self, found: str, rules: list[dict], name: str) -> tuple[int, Any]:
        for rule in rules:
            if not rule.get("string_to_replace") or rule.get("type") not in ("alias", "phoneme"):
                return 422, {"detail": [{"msg": "invalid rule", "loc": ["body", "rules"]}]}
        version = f"{found}-v{len(self.dictionaries[found]) + 1}"
        self.dictionaries[found][version] = rules
        answer = {"id": found, "version_id": version, "version_rules_num": len(rules)}
        if name:
            answer |= {"name": name, "created_by": "fake", "creation_time_unix": int(time.time())}
        return 200, answer


def _handler_for(fake: FakeElevenLabs) -> type[FakeHandler]:
    class Handler(FakeHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            fake.requests.append(
                Recorded(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {key.lower(): value for key, value in self.headers.items()},
                    self.rfile.read(length),
                )
            )
            time.sleep(fake.delay)
            status, body = (
                fake.answers.get(parts.path)
                or fake.dictionary_answer(parts.path, fake.requests[-1].body)
                or fake.speech_answer(parts.path, fake.requests[-1].body)
                or (404, {"detail": {"status": "not_found"}})
            )
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.send_header("retry-after", "0")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = do_PATCH = _serve

    return Handler


def start(fake: FakeElevenLabs) -> ThreadingHTTPServer:
    server, fake.url = serve(_handler_for(fake))
    return server
