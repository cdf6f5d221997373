"""A local fake of Sentry's ingestion endpoint (`POST /api/<project>/envelope/`): the real SDK sends it events."""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeSentry:
    """Keeps every event item of every envelope it receives; `dsn` points an SDK at it."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.received = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                fake._keep(self.path, body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.dsn = f"http://public-key@127.0.0.1:{self.server.server_address[1]}/1"

    def _keep(self, path: str, body: bytes) -> None:
        if path != "/api/1/envelope/":
            return
        # An envelope: a header line, then for each item a header line and its payload line.
        lines = body.split(b"\n")[1:]
        for header, payload in zip(lines[::2], lines[1::2], strict=False):
            if json.loads(header).get("type") == "event":
                self.events.append(json.loads(payload))
                self.received.set()

    def exceptions(self) -> list[tuple[str, str]]:
        """(type, message) of the exception of each event received."""
        return [
            (value["type"], value["value"])
            for event in self.events
            for value in event.get("exception", {}).get("values", [])
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
