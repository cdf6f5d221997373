"""A fake Stripe API on localhost: the real SDK talks to it, nothing leaves the machine."""

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


class FakeStripe:
    """Answers like api.stripe.com for the few endpoints we call, and records every request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.routes: dict[tuple[str, str], tuple[int, dict]] = {
            ("POST", "/v1/checkout/sessions"): (
                200,
                {"id": "cs_test_1", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_test_1"},
            ),
            ("POST", "/v1/billing_portal/sessions"): (
                200,
                {
                    "id": "bps_1",
                    "object": "billing_portal.session",
                    "url": "https://billing.stripe.com/p/session/bps_1",
                },
            ),
        }
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                path = self.path.split("?")[0]
                fake.requests.append(
                    {"method": self.command, "path": path, "headers": dict(self.headers), "form": dict(parse_qsl(body))}
                )
                missing = {"error": {"type": "invalid_request_error", "message": "No such thing"}}
                status, payload = fake.routes.get((self.command, path), (404, missing))
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def made(self, method: str, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == method and r["path"] == path]
