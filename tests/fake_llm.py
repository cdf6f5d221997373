"""A local fake of the OpenAI chat-completions and Anthropic messages APIs, streaming (SSE) included, as
documented: the official SDKs talk to it and our code runs for real; nothing leaves the machine.

Queue answers with `fake.reply(text)` or `fake.fail(status)`; each request takes the next one (the last one
repeats). Requests are recorded, and a wrong key is a 401 as the real services answer.
"""

import json
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from tests.fake_http import FakeHandler, serve

API_KEY = "sk-test-writer-0123456789"


@dataclass
class FakeLLM:
    url: str = ""
    provider: str = ""  # set by the `llm` fixture: the provider the writer is configured with
    requests: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[int, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hold: threading.Event | None = None  # when given, a stream stops after its first piece of text until it is set
    hold_timed_out: bool = False  # nobody set `hold` within 20 s (a client that buffers the stream never would)

    def reply(self, text: str) -> "FakeLLM":
        self.answers.append((200, text))
        return self

    def fail(self, status: int) -> "FakeLLM":
        self.answers.append((status, ""))
        return self

    def next_answer(self) -> tuple[int, str]:
        with self.lock:
            if len(self.answers) > 1:
                return self.answers.pop(0)
            return self.answers[0] if self.answers else (200, "Host: Hello.")

    @property
    def prompts(self) -> list[str]:
        """The user message of each request, whichever API it came through."""
        return [request["messages"][-1]["content"] for request in self.requests]


def _pieces(text: str) -> list[str]:
    """Streamed a few characters at a time, as a model writes."""
    return [text[index : index + 7] for index in range(0, len(text), 7)]


def _is_text(data: str) -> bool:
    """A piece of the answer's text, in either API's stream."""
    if data == "[DONE]":
        return False
    event = json.loads(data)
    if event.get("type") == "content_block_delta":
        return True
    return any(choice["delta"].get("content") for choice in event.get("choices", []))


def _error(api: str, status: int) -> dict[str, Any]:
    kind = {401: "authentication_error", 429: "rate_limit_error"}.get(status, "api_error")
    if api == "anthropic":
        return {"type": "error", "error": {"type": kind, "message": f"fake {status}"}}
    return {"error": {"message": f"fake {status}", "type": kind, "code": None, "param": None}}


def _handler_for(fake: FakeLLM) -> type[FakeHandler]:
    class Handler(FakeHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
            api = "anthropic" if self.path.rstrip("/").endswith("/v1/messages") else "openai"
            if api == "openai" and not self.path.rstrip("/").endswith("/chat/completions"):
                return self._json(404, {"error": {"message": "no such path", "type": "not_found"}})
            key = self.headers.get("x-api-key") or self.headers.get("authorization", "").removeprefix("Bearer ")
            fake.requests.append({"api": api, "path": self.path, **body})
            status, text = (401, "") if key != API_KEY else fake.next_answer()
            if status != 200:
                return self._json(status, _error(api, status))
            prompt_tokens = sum(len(str(message.get("content", "")).split()) for message in body["messages"])
            prompt_tokens += len(str(body.get("system", "")).split())
            usage = (prompt_tokens, len(text.split()))
            if not body.get("stream"):
                return self._json(200, _whole(api, body["model"], text, usage))
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("connection", "close")
            self.end_headers()
            held = False
            self.close_connection = True
            for event, data in (_anthropic_events if api == "anthropic" else _openai_events)(body, text, usage):
                try:
                    self.wfile.write((f"event: {event}\n" if event else "").encode() + f"data: {data}\n\n".encode())
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (a test's time-out): nobody is listening any more
                if fake.hold is not None and not held and _is_text(data):
                    held = True
                    fake.hold_timed_out = not fake.hold.wait(timeout=20)

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.send_header("retry-after-ms", "5")  # the SDKs wait this long before retrying
            self.send_header("connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True

    return Handler


def _whole(api: str, model: str, text: str, usage: tuple[int, int]) -> dict[str, Any]:
    if api == "anthropic":
        return {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": usage[0], "output_tokens": usage[1]},
        }
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
    }


def _openai_events(body: dict[str, Any], text: str, usage: tuple[int, int]):
    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        return json.dumps(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
        )

    yield "", chunk({"role": "assistant", "content": ""})
    for piece in _pieces(text):
        yield "", chunk({"content": piece})
    yield "", chunk({}, "stop")
    if body.get("stream_options", {}).get("include_usage"):
        yield (
            "",
            json.dumps(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": body["model"],
                    "choices": [],
                    "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
                }
            ),
        )
    yield "", "[DONE]"


def _anthropic_events(body: dict[str, Any], text: str, usage: tuple[int, int]):
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": body["model"],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": usage[0], "output_tokens": 1},
    }
    yield "message_start", json.dumps({"type": "message_start", "message": message})
    yield (
        "content_block_start",
        json.dumps({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    )
    yield "ping", json.dumps({"type": "ping"})
    for piece in _pieces(text):
        yield (
            "content_block_delta",
            json.dumps({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}),
        )
    yield "content_block_stop", json.dumps({"type": "content_block_stop", "index": 0})
    yield (
        "message_delta",
        json.dumps(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": usage[1]},
            }
        ),
    )
    yield "message_stop", json.dumps({"type": "message_stop"})


def start(fake: FakeLLM) -> ThreadingHTTPServer:
    server, fake.url = serve(_handler_for(fake))
    return server
