"""The job progress WebSocket, through the real ASGI app (session auth, origin check) and a real Redis."""

import os
import re
import subprocess
import sys

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from omnivibe.asgi import application
from renders.models import RenderJob
from tests.factories import make_member
from voices.services import voice_specs_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def close_thread_connections():
    yield
    # The async ORM calls here run in asgiref's worker thread: close its connection, or PostgreSQL
    # refuses to drop the test database at the end of the run.
    await sync_to_async(connections.close_all)()


def make_job(user) -> RenderJob:
    return RenderJob.objects.create(
        workspace=user.memberships.get().workspace,
        title="Live",
        blocks=[{"speaker": "Host", "text": "Hi."}],
        status=RenderJob.Status.RUNNING,
        stage="narrate",
        percent=10,
    )


def socket_for(job: RenderJob, client=None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if client is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}".encode()))
    return WebsocketCommunicator(application, f"/ws/jobs/{job.public_id}/", headers=headers)


async def test_a_member_gets_the_current_state_at_once(owner_client, owner):
    job = await sync_to_async(make_job)(owner)
    socket = socket_for(job, owner_client)
    connected, _ = await socket.connect()
    assert connected
    html = await socket.receive_from(timeout=5)
    assert 'id="job-status"' in html and 'data-percent="10"' in html and "narrate" in html
    await socket.disconnect()


async def test_progress_sent_from_another_process_reaches_the_websocket(owner_client, owner):
    job = await sync_to_async(make_job)(owner)
    socket = socket_for(job, owner_client)
    await socket.connect()
    await socket.receive_from(timeout=5)
    # The worker is another process: it writes the row, then announces the change through Redis.
    await RenderJob.objects.filter(pk=job.pk).aupdate(stage="compose", percent=42)
    layer = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    sender = (
        "import django; django.setup();"
        "from asgiref.sync import async_to_sync; from channels.layers import get_channel_layer;"
        f"async_to_sync(get_channel_layer().group_send)('job-{job.public_id}', {{'type': 'job.changed'}})"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "omnivibe.settings_test",
        "REDIS_URL": layer["hosts"][0],
        "CHANNELS_PREFIX": layer["prefix"],
    }
    result = await sync_to_async(subprocess.run)(
        [sys.executable, "-c", sender], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    html = await socket.receive_from(timeout=10)
    assert 'data-percent="42"' in html and "compose" in html
    await socket.disconnect()


async def test_a_finished_job_sends_the_players(owner_client, owner):
    job = await sync_to_async(make_job)(owner)
    socket = socket_for(job, owner_client)
    await socket.connect()
    await socket.receive_from(timeout=5)
    from renders import actions

    await sync_to_async(actions.finish_job)(job, {"duration": 1.0})
    html = await socket.receive_from(timeout=10)
    assert 'data-status="succeeded"' in html and "<progress" not in html
    await socket.disconnect()


async def test_anonymous_clients_are_refused(owner):
    job = await sync_to_async(make_job)(owner)
    socket = socket_for(job)
    connected, code = await socket.connect()
    assert not connected and code == 4404


async def test_other_workspaces_are_refused(outsider_client, owner):
    job = await sync_to_async(make_job)(owner)
    socket = socket_for(job, outsider_client)
    connected, code = await socket.connect()
    assert not connected and code == 4404


async def test_foreign_origins_are_refused(owner_client, owner):
    job = await sync_to_async(make_job)(owner)
    socket = WebsocketCommunicator(
        application,
        f"/ws/jobs/{job.public_id}/",
        headers=[(b"origin", b"http://evil.example"), (b"host", b"testserver")],
    )
    connected, _ = await socket.connect()
    assert not connected


@pytest.mark.parametrize(
    ("status", "button", "after"),
    [
        (RenderJob.Status.RUNNING, "Cancel", RenderJob.Status.CANCELLED),
        (RenderJob.Status.FAILED, "Retry", RenderJob.Status.SUCCEEDED),  # the test task queue runs it at once
    ],
)
async def test_the_live_fragments_buttons_pass_the_csrf_check(owner, status, button, after):
    browser = Client(enforce_csrf_checks=True)
    await sync_to_async(browser.force_login)(owner)
    job = await sync_to_async(make_job)(owner)
    voices = await sync_to_async(voice_specs_for)(job.workspace_id, ["Host"])
    await RenderJob.objects.filter(pk=job.pk).aupdate(
        status=status, kind=RenderJob.Kind.AUDIO, options={"voices": voices}
    )
    await sync_to_async(browser.get)(reverse("renders:job", args=[job.public_id]))  # sets the CSRF cookie
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in browser.cookies.items())
    socket = WebsocketCommunicator(
        application,
        f"/ws/jobs/{job.public_id}/",
        headers=[(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookie.encode())],
    )
    await socket.connect()
    html = await socket.receive_from(timeout=5)
    await socket.disconnect()
    action, form = next(
        (action, form)
        for action, form in re.findall(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
        if button in form
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, "the live fragment's form has no CSRF token"
    response = await sync_to_async(browser.post)(action, {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    await job.arefresh_from_db()
    assert job.status == after, job.error


def viewer_of(owner) -> Client:
    viewer = make_member("viewer@example.com")
    Membership.objects.create(workspace=owner.memberships.get().workspace, user=viewer, role=Membership.Role.VIEWER)
    client = Client()
    client.force_login(viewer)
    return client


async def test_a_viewer_watches_without_the_buttons_to_act(owner_client, owner):
    job = await sync_to_async(make_job)(owner)
    viewer = await sync_to_async(viewer_of)(owner)
    socket = socket_for(job, viewer)
    connected, _ = await socket.connect()
    assert connected
    html = await socket.receive_from(timeout=5)
    assert 'data-percent="10"' in html and "Cancel" not in html
    await socket.disconnect()
    owners = socket_for(job, owner_client)
    await owners.connect()
    assert "Cancel" in await owners.receive_from(timeout=5)
    await owners.disconnect()


async def test_watchers_of_one_job_in_one_process_read_each_change_once(owner_client, owner, monkeypatch):
    from renders import actions, consumers

    job = await sync_to_async(make_job)(owner)
    sockets = [socket_for(job, owner_client) for _ in range(3)]
    for socket in sockets:
        await socket.connect()
        await socket.receive_from(timeout=5)
    reads = []
    read = consumers.JobProgressConsumer._read
    monkeypatch.setattr(consumers.JobProgressConsumer, "_read", lambda self: reads.append(1) or read(self))

    await sync_to_async(actions.report_progress)(job, "compose", 55, {"blocks": []})  # with a report: a full change
    for socket in sockets:  # each its own fragment, all with the change
        html = await socket.receive_from(timeout=10)
        assert 'id="job-status"' in html and 'data-percent="55"' in html
    assert len(reads) == 1
    for socket in sockets:
        await socket.disconnect()


async def test_progress_alone_is_pushed_as_the_bar_without_reading_anything(owner_client, owner, monkeypatch):
    from renders import actions, consumers

    job = await sync_to_async(make_job)(owner)
    socket = socket_for(job, owner_client)
    await socket.connect()
    assert 'id="job-progress"' in await socket.receive_from(timeout=5)  # the full status includes the bar
    reads = []
    monkeypatch.setattr(consumers.JobProgressConsumer, "_read", lambda self: reads.append("job"))
    monkeypatch.setattr(consumers, "is_member", lambda *args: reads.append("access") or True)

    await sync_to_async(actions.report_progress)(job, "compose", 55)
    html = await socket.receive_from(timeout=10)
    assert html.startswith('<div id="job-progress"') and 'hx-swap-oob="true"' in html
    assert 'data-percent="55"' in html and "compose" in html and 'value="55"' in html
    assert "job-status" not in html and "csrfmiddlewaretoken" not in html
    assert reads == []
    await socket.disconnect()


async def watched_by_a_removed_viewer(owner):
    """A job, and the socket of a viewer who was watching it when they were removed from the workspace."""
    job = await sync_to_async(make_job)(owner)
    socket = socket_for(job, await sync_to_async(viewer_of)(owner))
    await socket.connect()
    await socket.receive_from(timeout=5)
    await sync_to_async(Membership.objects.filter(role=Membership.Role.VIEWER).delete)()
    return job, socket


async def test_a_removed_member_stops_getting_progress_once_the_check_falls_due(owner_client, owner, monkeypatch):
    from renders import actions, consumers

    job, socket = await watched_by_a_removed_viewer(owner)

    # Within ACCESS_RECHECK_SECONDS of the last check, progress still comes (the documented window)...
    await sync_to_async(actions.report_progress)(job, "compose", 20)
    assert 'data-percent="20"' in await socket.receive_from(timeout=10)
    # ...and once the check is due, the socket is closed instead.
    monkeypatch.setattr(consumers, "ACCESS_RECHECK_SECONDS", 0.0)
    await sync_to_async(actions.report_progress)(job, "narrate", 30)
    assert await socket.receive_output(timeout=10) == {"type": "websocket.close", "code": 4404}
    await sync_to_async(actions.report_progress)(job, "compose", 40)  # on its way before the socket is gone
    assert await socket.receive_nothing(timeout=1)


async def test_a_removed_member_hears_no_full_change(owner_client, owner):
    from renders import actions

    job, socket = await watched_by_a_removed_viewer(owner)

    await sync_to_async(actions.finish_job)(job, {"duration": 1.0})  # a full change re-reads through the rule
    assert await socket.receive_output(timeout=10) == {"type": "websocket.close", "code": 4404}
