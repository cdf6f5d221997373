"""Billing fixtures: the seeded plans, a workspace on a chosen plan, a fake Stripe API on localhost."""

import importlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.apps import apps as global_apps

from billing.models import Plan, WorkspacePlan
from conftest import make_member  # noqa: F401  (re-exported for billing tests)


@pytest.fixture
def plans(db) -> dict[str, Plan]:
    # The data migration's own seed function: tests run with --nomigrations.
    importlib.import_module("billing.migrations.0003_seed_plans").seed_plans(global_apps, None)
    return {plan.slug: plan for plan in Plan.objects.all()}


@pytest.fixture
def workspace(owner):
    return owner.memberships.get().workspace


def put_on_plan(workspace, slug: str, **fields) -> WorkspacePlan:
    state, _ = WorkspacePlan.objects.update_or_create(
        workspace=workspace, defaults={"plan": Plan.objects.get(slug=slug), **fields}
    )
    return state


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


@pytest.fixture
def fake_stripe(settings):
    fake = FakeStripe()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_PRICE_IDS = {"creator": "price_creator", "pro": "price_pro", "business": "price_business"}
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
