"""A dripping webhook receiver must not delay anyone's render: two real `qcluster` processes, as runstack starts
them (renders, and the fast lane with Q_CLUSTER_NAME=fast), share the test database."""

import time

import pytest
from django.conf import settings
from django_q.conf import Conf

from api.models import WebhookDelivery
from mediakit.text.script import Block
from renders import actions
from renders.models import RenderJob
from renders.services import create_job
from tests.factories import api_workspace
from tests.security.servers import kill_group, start_qcluster

from .test_webhooks import RawReceiver

pytestmark = pytest.mark.django_db(transaction=True)
DEADLINE = 120.0  # the dripping delivery's attempt lasts this long: longer than any render here could take


def drip_forever(connection) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\n")
    while True:
        connection.sendall(b"X")  # a header line that never ends
        time.sleep(2)


def test_a_render_is_not_delayed_by_another_workspaces_dripping_receiver(
    owner, outsider, redis_url, monkeypatch, django_capture_on_commit_callbacks, tmp_path
):
    monkeypatch.setattr(Conf, "SYNC", False)  # this process queues for the real workers
    receiver = RawReceiver(drip_forever)
    lane_env = {"WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1", "WEBHOOK_TIMEOUT": str(DEADLINE)}
    workers = [
        start_qcluster(tmp_path / "renders.log", redis_url, **lane_env),
        start_qcluster(tmp_path / "fast.log", redis_url, settings.FAST_CLUSTER, **lane_env),
    ]
    try:
        hooked = RenderJob.objects.create(
            workspace=api_workspace(owner), title="Hook", blocks=[], status="running",
            options={"callback_url": receiver.url},
        )  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            actions.finish_job(hooked, {"duration": 1.0})
        started = time.monotonic()
        while receiver.connections == 0:  # the webhook worker is now stuck with the dripping receiver
            assert time.monotonic() - started < 60, "the webhook worker never called the receiver"
            time.sleep(0.2)

        with django_capture_on_commit_callbacks(execute=True):
            render = create_job(
                workspace=api_workspace(outsider), blocks=[Block("Host", "Hello.")], title="Other", kind="audio"
            )
        while render.status in (RenderJob.Status.QUEUED, RenderJob.Status.RUNNING):
            assert time.monotonic() - started < DEADLINE - 10, "the render waited for the webhook"
            time.sleep(0.2)
            render.refresh_from_db()
        assert render.status == RenderJob.Status.SUCCEEDED, render.error
        # It ended while the delivery was still dripping: had it waited, the attempt would be over and recorded.
        assert not WebhookDelivery.objects.exists()
    finally:
        for worker in workers:
            kill_group(worker)  # the webhook worker is still in its dripping attempt: no graceful stop
        receiver.close()
