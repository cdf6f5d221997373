"""Reads of render jobs, always through the member's workspaces."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet, Sum

from accounts.access import for_member
from billing.storage import StorageUse
from renders.models import CacheEntry, RenderJob, RenderOutput


def job_for_member(user: AbstractBaseUser | AnonymousUser, public_id: str) -> RenderJob | None:
    """The job if `user` may see it (the live progress socket has a user, not a request), else None."""
    return for_member(RenderJob.objects, user).filter(public_id=public_id).prefetch_related("outputs").first()


def titles_of_jobs_using(voice: Any) -> list[str]:
    """Queued or running jobs of the voice's workspace whose frozen voice specs name this voice."""
    active = RenderJob.objects.filter(
        workspace_id=voice.workspace_id, status__in=[RenderJob.Status.QUEUED, RenderJob.Status.RUNNING]
    )
    return [
        job.title
        for job in active
        if any(spec.get("voice_pk") == voice.pk for spec in job.render_options.voices.values())
    ]


def search_jobs(
    workspace: Any, *, query: str = "", status: str = "", campaign_id: int | None = None
) -> QuerySet[RenderJob]:
    """The workspace's renders, newest first: `query` in the title, of one status and campaign if given."""
    jobs = RenderJob.objects.filter(workspace=workspace)
    if query:
        jobs = jobs.filter(title__icontains=query)
    if status:
        jobs = jobs.filter(status=status)
    if campaign_id is not None:
        jobs = jobs.filter(script__campaign_id=campaign_id)
    return jobs.order_by("-created_at", "-pk")


def titles_of_active_jobs(workspace_id: int) -> list[str]:
    """The workspace's queued or running jobs."""
    active = RenderJob.objects.filter(
        workspace_id=workspace_id, status__in=[RenderJob.Status.QUEUED, RenderJob.Status.RUNNING]
    )
    return list(active.values_list("title", flat=True))


def storage_of_renders(workspace_id: int) -> list[StorageUse]:
    """What a workspace's renders keep in the storage: their files, and the narration units cached for re-renders
    (the cache's limit and the plan's retention keep both from growing forever)."""
    outputs = RenderOutput.objects.filter(job__workspace_id=workspace_id).aggregate(total=Sum("size"))["total"]
    cached = CacheEntry.objects.filter(
        cache=CacheEntry.Cache.SPEECH, name__startswith=f"workspaces/{workspace_id}/speech-cache/"
    ).aggregate(total=Sum("size"))["total"]
    return [StorageUse("Render files", outputs or 0), StorageUse("Narration cache", cached or 0)]
