"""The operations page of the admin (/admin/operations/): what staff look at when something seems slow or broken.

The workers that beat lately, the queues (tasks waiting, the oldest one's age), queued and running renders (a
running one whose worker stopped beating is marked), the failures of the last day (renders, django-q2 tasks,
webhook attempts), the slowest stages of the renders that finished in that day and the size-limited caches (hits,
misses, evictions, size; cleared from their admin list). Reads across every workspace:
staff with the right to view render jobs only.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_q.models import Failure

from api.models import WebhookDelivery
from omnivibe.health import live_clusters
from omnivibe.metrics import waiting_queues
from renders import caches
from renders.models import RenderJob

WINDOW = timedelta(days=1)
SHOWN = 50  # rows per table at most
SCANNED_FOR_STAGES = 1000  # the most recent finished renders whose stage times are compared


@dataclass(frozen=True)
class StageTime:
    job: RenderJob
    stage: str
    seconds: float


def slowest_stages(since: datetime, limit: int = 10) -> list[StageTime]:
    """The longest stage runs of renders finished since `since` (only each report's stage times are read)."""
    rows = (
        RenderJob.objects.filter(finished_at__gte=since, report__has_key="stages")
        .select_related("workspace")
        .only("pk", "public_id", "title", "kind", "status", "workspace__name")
        .annotate(stage_times=models.F("report__stages"))
        .order_by("-finished_at")[:SCANNED_FOR_STAGES]
    )
    times = [
        StageTime(job, stage, float(seconds)) for job in rows for stage, seconds in (job.stage_times or {}).items()
    ]
    return sorted(times, key=lambda time: time.seconds, reverse=True)[:limit]


def operations(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("renders.view_renderjob"):
        raise PermissionDenied("Viewing render jobs is needed for the operations page.")
    now = timezone.now()
    since = now - WINDOW
    active = RenderJob.objects.select_related("workspace").order_by("created_at")
    lost = set(active.filter(RenderJob.lost_worker()).values_list("pk", flat=True))
    context = {
        **admin.site.each_context(request),
        "title": "Operations",
        "now": now,
        "workers": live_clusters(),
        "queues": [
            (queue, (now - queue.oldest_since) if queue.oldest_since else None)
            for queue in waiting_queues()
            if queue.tasks
        ],
        "queued": active.filter(status=RenderJob.Status.QUEUED)[:SHOWN],
        "queued_count": active.filter(status=RenderJob.Status.QUEUED).count(),
        "running": [(job, job.pk in lost) for job in active.filter(status=RenderJob.Status.RUNNING)[:SHOWN]],
        "failed_jobs": active.filter(status=RenderJob.Status.FAILED, finished_at__gte=since).order_by("-finished_at")[
            :SHOWN
        ],
        "failed_tasks": Failure.objects.filter(stopped__gte=since).order_by("-stopped")[:SHOWN],
        "failed_webhooks": WebhookDelivery.objects.filter(succeeded=False, created_at__gte=since)
        .select_related("job")
        .order_by("-created_at")[:SHOWN],
        "slowest": slowest_stages(since),
        "caches": caches.stats(),
    }
    return render(request, "admin/operations.html", context)
