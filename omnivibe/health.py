"""GET /healthz: database, channel layer, worker heartbeat, the fast lane and the file storage, each named
when it fails.

Anyone may call it, so a failure is reported as a bare "error"; the exception goes to the log.
"""

import asyncio
import logging
import uuid
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django_q.status import Stat

import lanes
from renders.storage import is_local

logger = logging.getLogger(__name__)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


async def _channel_round_trip() -> str:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    probe = {"type": "health.probe", "id": uuid.uuid4().hex}
    await layer.send(channel, probe)
    received = await asyncio.wait_for(layer.receive(channel), timeout=3)
    return "ok" if received.get("id") == probe["id"] else "message lost"


def _channel_layer() -> str:
    return async_to_sync(_channel_round_trip)()


def live_clusters(host: str | None = None) -> list[Stat]:
    """The django-q2 clusters (of every machine, or of `host`) that beat in the last WORKER_HEARTBEAT_MAX_AGE s."""
    fresh_after = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    return [
        stat
        for stat in Stat.get_all()
        if stat.timestamp >= fresh_after and stat.status != "Stopped" and host in (None, stat.host)
    ]


def _worker() -> str:
    alive = live_clusters()
    return "ok" if alive else f"no worker heartbeat in the last {settings.WORKER_HEARTBEAT_MAX_AGE} s"


def _fast_lane() -> str:
    """The heartbeat above cannot tell the two clusters apart: the fast one shows as tasks (webhooks, previews)
    that wait far longer than a short task takes (a live lane picks each up within a second)."""
    count, oldest = lanes.waiting(lanes.FAST)
    if oldest is None or timezone.now() - oldest < timedelta(seconds=settings.FAST_LANE_MAX_WAIT):
        return "ok"
    return f"{count} fast-lane tasks waiting for over {settings.FAST_LANE_MAX_WAIT} s"


def _storage() -> str:
    """A bucket must answer (reachable, there, our keys accepted); a local folder is this machine's own disk."""
    if not is_local(default_storage):
        default_storage.connection.meta.client.head_bucket(Bucket=default_storage.bucket_name)
    return "ok"


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {}
    for name, check in (
        ("database", _database),
        ("channel_layer", _channel_layer),
        ("worker", _worker),
        ("fast_lane", _fast_lane),
        ("storage", _storage),
    ):
        try:
            checks[name] = check()
        except Exception:  # a health check reports failures, it must not raise them
            logger.exception("health check %s failed", name)
            checks[name] = "error"
    healthy = all(status == "ok" for status in checks.values())
    failing = [name for name, status in checks.items() if status != "ok"]
    body = {"status": "ok" if healthy else "failing", "checks": checks, "failing": failing}
    return JsonResponse(body, status=200 if healthy else 503)
