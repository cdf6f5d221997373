"""The receiver here is written from docs/API.md alone ("Verifying webhooks")."""

import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django_q.models import Schedule

from api.keys import webhook_secret_for
from api.models import WebhookDelivery
from api.webhooks import deliver
from renders import actions
from renders.models import RenderJob
from tests.factories import workspace_of

pytestmark = pytest.mark.django_db


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - timestamp) <= tolerance


class Receiver:
    def __init__(self, status: int = 200):
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def job_with_callback(owner, url: str) -> RenderJob:
    return RenderJob.objects.create(
        workspace=workspace_of(owner), title="Hook", blocks=[], status="running", options={"callback_url": url}
    )


def test_a_finished_job_is_posted_signed(owner, receiver, django_capture_on_commit_callbacks):
    job = job_with_callback(owner, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        actions.finish_job(job, {"duration": 1.0})
    ((headers, body),) = receiver.requests
    assert verify(webhook_secret_for(job.workspace), headers["X-OmniVibe-Signature"], body)
    assert not verify("whsec_wrong", headers["X-OmniVibe-Signature"], body)
    payload = json.loads(body)
    assert payload["event"] == "job.succeeded" and payload["job"]["id"] == str(job.public_id)
    delivery = WebhookDelivery.objects.get()
    assert delivery.succeeded and delivery.status_code == 200


def test_failed_and_cancelled_jobs_are_posted_too(owner, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.fail_job(job_with_callback(owner, receiver.url), "narrate: boom")
        actions.cancel_job(job_with_callback(owner, receiver.url))
    events = [json.loads(body)["event"] for _, body in receiver.requests]
    assert events == ["job.failed", "job.cancelled"]


def test_a_failed_delivery_is_retried_with_backoff_and_capped(owner, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    job = job_with_callback(owner, "http://127.0.0.1:9/unreachable")
    first = deliver(job.pk, 1)
    assert not first.succeeded and first.error and first.next_attempt_at
    schedule = Schedule.objects.get()
    assert schedule.func == "api.tasks.deliver_webhook" and schedule.args == f"{job.pk},2"
    second = deliver(job.pk, 2)
    assert (second.next_attempt_at - second.created_at) > (first.next_attempt_at - first.created_at)
    last = deliver(job.pk, 3)
    assert last.next_attempt_at is None and Schedule.objects.count() == 2


def test_deliveries_are_visible_in_the_job_api(owner, api):
    job = job_with_callback(owner, "http://127.0.0.1:9/unreachable")
    deliver(job.pk, 1)
    body = api.get(f"/api/v1/jobs/{job.public_id}").json()
    assert body["callback_url"] == job.options["callback_url"]
    assert body["webhook_deliveries"][0]["attempt"] == 1 and not body["webhook_deliveries"][0]["succeeded"]


def test_a_receiver_error_status_counts_as_failed(owner):
    server = Receiver(status=500)
    try:
        delivery = deliver(job_with_callback(owner, server.url).pk, 1)
    finally:
        server.close()
    assert delivery.status_code == 500 and not delivery.succeeded and delivery.next_attempt_at


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.0.0.5/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest",
    ],
)
def test_callbacks_to_private_addresses_are_refused(api, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = api.post("/api/v1/synthesize", {"script": "Host: Hi.", "callback_url": url}, format="json")
    assert response.status_code == 400
    assert "public address" in response.json()["error"]["details"]["callback_url"][0]
    assert not RenderJob.objects.exists()


def test_a_host_name_that_resolves_to_a_private_address_is_not_posted(owner, settings, receiver):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    # The machine's own name passes the check at submission (a name, not an address) but resolves here.
    url = receiver.url.replace("127.0.0.1", socket.gethostname())
    delivery = deliver(job_with_callback(owner, url).pk, 1)
    assert not delivery.succeeded and delivery.error.startswith("not sent:")
    assert receiver.requests == [] and not Schedule.objects.exists()  # refused for good, not retried
