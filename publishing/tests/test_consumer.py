"""The series' live progress WebSocket, through the real ASGI app and a real Redis: one view of the whole batch,
pushed when a row changes and when one of its renders reports progress."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections

from accounts.models import Membership
from omnivibe.asgi import application
from publishing import actions
from publishing.models import SeriesRow
from renders import actions as job_actions
from renders.models import RenderJob
from tests.factories import SeriesRowFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def close_thread_connections():
    yield
    await sync_to_async(connections.close_all)()


def rendering_row(user) -> SeriesRow:
    workspace = user.memberships.get().workspace
    return SeriesRowFactory(
        series__workspace=workspace,
        status=SeriesRow.Status.RENDERING,
        job__status=RenderJob.Status.RUNNING,
        job__stage="narrate",
        job__percent=10,
        job__attempts=1,
    )


def socket_for(row: SeriesRow, client=None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if client is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}".encode()))
    return WebsocketCommunicator(application, f"/ws/series/{row.series.public_id}/", headers=headers)


async def test_a_member_follows_the_batch_and_its_renders_progress(owner_client, owner):
    row = await sync_to_async(rendering_row)(owner)
    socket = socket_for(row, owner_client)
    connected, _ = await socket.connect()
    assert connected
    html = await socket.receive_from(timeout=5)
    assert 'id="series-status"' in html and 'data-status="rendering"' in html and 'value="10"' in html

    # The render reports progress on its own group: the series page hears it too, as that row's bar alone.
    job = await RenderJob.objects.aget(pk=row.job_id)
    await sync_to_async(job_actions.report_progress)(job, "compose", 60)
    html = await socket.receive_from(timeout=10)
    assert html.startswith(f'<span id="row-{row.number}-progress"') and 'hx-swap-oob="true"' in html
    assert 'value="60"' in html and "compose" in html and "series-status" not in html

    # The render ends; its row goes to review.
    await sync_to_async(job_actions.finish_job)(job, {"duration": 1.0})
    while 'data-status="review"' not in html:
        html = await socket.receive_from(timeout=10)
    assert "Awaiting review" in html
    await socket.disconnect()


async def test_other_workspaces_and_anonymous_clients_are_refused(outsider_client, owner):
    row = await sync_to_async(rendering_row)(owner)
    for client in (outsider_client, None):
        connected, code = await socket_for(row, client).connect()
        assert not connected and code == 4404


async def test_a_row_change_is_pushed(owner_client, owner):
    row = await sync_to_async(rendering_row)(owner)
    socket = socket_for(row, owner_client)
    await socket.connect()
    await socket.receive_from(timeout=5)
    await sync_to_async(actions.row_failed)(row, "The render failed: narrate: boom")
    html = await socket.receive_from(timeout=10)
    assert "The render failed: narrate: boom" in html
    await socket.disconnect()


async def test_a_removed_member_stops_getting_progress_once_the_check_falls_due(owner_client, owner, monkeypatch):
    from renders import consumers

    row = await sync_to_async(rendering_row)(owner)
    socket = socket_for(row, owner_client)
    await socket.connect()
    await socket.receive_from(timeout=5)
    await Membership.objects.filter(user=owner).adelete()
    monkeypatch.setattr(consumers, "ACCESS_RECHECK_SECONDS", 0.0)
    job = await RenderJob.objects.aget(pk=row.job_id)
    await sync_to_async(job_actions.report_progress)(job, "compose", 60)
    assert await socket.receive_output(timeout=10) == {"type": "websocket.close", "code": 4404}
