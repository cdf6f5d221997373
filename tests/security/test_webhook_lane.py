"""A dripping webhook receiver must not delay anyone's render: two real `qcluster` processes, as runstack starts
them (renders, and webhooks with Q_CLUSTER_NAME=webhooks), share the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_q.conf import Conf

from api.models import WebhookDelivery
from mediakit.text.script import Block
from renders import actions
from renders.models import RenderJob
from renders.services import create_job
from tests.factories import api_workspace
from tests.security.servers import kill_group

from .test_webhooks import RawReceiver

pytestmark = pytest.mark.django_db(transaction=True)
DEADLINE = 120.0  # the dripping delivery's attempt lasts this long: longer than any render here could take


def drip_forever(connection) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\n")
    while True:
        connection.sendall(b"X")  # a header line that never ends
        time.sleep(2)


def start_cluster(redis_url: str, cluster: str | None, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "omnivibe.settings",  # a real queue, not the tests' synchronous one
        "SECRET_KEY": "test-only-secret-key",
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "RENDER_WORK_DIR": str(settings.RENDER_WORK_DIR),
        "OMNIVIBE_VAR_DIR": str(settings.VAR_DIR),
        "RENDER_VERIFY": "0",
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
        "WEBHOOK_TIMEOUT": str(DEADLINE),
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("Q_CLUSTER_NAME", None)
    if cluster:
        env["Q_CLUSTER_NAME"] = cluster
    manage = Path(settings.BASE_DIR) / "manage.py"
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, str(manage), "qcluster"],
            env=env, cwd=settings.BASE_DIR, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the workers are pointed at the SQLite test database")
def test_a_render_is_not_delayed_by_another_workspaces_dripping_receiver(
    owner, outsider, redis_url, monkeypatch, django_capture_on_commit_callbacks, tmp_path
):
    monkeypatch.setattr(Conf, "SYNC", False)  # this process queues for the real workers
    receiver = RawReceiver(drip_forever)
    workers = [
        start_cluster(redis_url, None, tmp_path / "renders.log"),
        start_cluster(redis_url, settings.WEBHOOK_CLUSTER, tmp_path / "webhooks.log"),
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
