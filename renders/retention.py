"""Finished renders' files do not stay forever: they are deleted once their plan's days have run out
(`Plan.output_retention_days`, counted from the job's end), unless a creator keeps the job. The daily
`renders.expire_outputs` schedule (migration renders.0007) deletes them; the job page says when, and offers "Keep".
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import Workspace
from billing.selectors import effective_plan, plan_state_of
from renders.models import RenderJob

logger = logging.getLogger(__name__)


class NothingToKeep(Exception):
    """The job's files are gone (or it has none): keeping it would promise what cannot be kept."""


@dataclass(frozen=True)
class Retention:
    days: int | None  # the plan's; None: files are kept forever
    expires_at: datetime | None  # when this job's files go; None: never (kept, forever, or already gone)


def retention_days(workspace: Workspace) -> int | None:
    return effective_plan(plan_state_of(workspace), timezone.now()).output_retention_days


def retention_of(job: RenderJob) -> Retention:
    days = retention_days(job.workspace)
    if days is None or job.kept_at or job.files_expired_at or not job.finished_at or not job.outputs.exists():
        return Retention(days, None)
    return Retention(days, job.finished_at + timedelta(days=days))


def keep(job: RenderJob, user) -> RenderJob:
    """The creator keeps the job's files past the plan's days (raises NothingToKeep once they are gone)."""
    with transaction.atomic():
        locked = RenderJob.objects.select_for_update().get(pk=job.pk)
        if locked.files_expired_at or not locked.outputs.exists():
            raise NothingToKeep("This render's files are no longer there to keep.")
        if locked.kept_at is None:
            locked.kept_at = timezone.now()
            locked.save(update_fields=["kept_at"])
            audit.record(locked.workspace_id, user, "render.kept", f"Kept the files of “{locked.title}”")
    return locked


def stop_keeping(job: RenderJob, user) -> RenderJob:
    """Back to the plan's days, counted from the job's end as before (the next daily run may delete them)."""
    with transaction.atomic():
        locked = RenderJob.objects.select_for_update().get(pk=job.pk)
        if locked.kept_at is not None:
            locked.kept_at = None
            locked.save(update_fields=["kept_at"])
            audit.record(locked.workspace_id, user, "render.unkept", f"Stopped keeping the files of “{locked.title}”")
    return locked


def expire_outputs(now: datetime | None = None) -> int:
    """Delete the files of every finished job past its plan's days and not kept; returns how many jobs."""
    now = now or timezone.now()
    candidates = RenderJob.objects.filter(
        kept_at=None, files_expired_at=None, finished_at__isnull=False, outputs__isnull=False
    ).distinct()
    days_of: dict[int, int | None] = {}
    expired = 0
    for job in candidates.select_related("workspace").iterator(chunk_size=200):
        if job.workspace_id not in days_of:
            days_of[job.workspace_id] = retention_days(job.workspace)
        days = days_of[job.workspace_id]
        if days is not None and job.finished_at <= now - timedelta(days=days) and _expire(job, now):
            expired += 1
    if expired:
        logger.info("deleted the files of %d renders past their plan's retention", expired)
    return expired


def _expire(job: RenderJob, now: datetime) -> bool:
    with transaction.atomic():
        # Locked, so a "Keep" clicked at this moment either comes first (and wins) or waits and finds nothing.
        locked = RenderJob.objects.select_for_update().filter(pk=job.pk, kept_at=None, files_expired_at=None).first()
        if locked is None:
            return False
        outputs = list(locked.outputs.all())
        locked.outputs.all().delete()
        locked.files_expired_at = now
        locked.save(update_fields=["files_expired_at"])
        files = [(output.file.storage, output.file.name) for output in outputs if output.file.name]
        transaction.on_commit(lambda: _delete_files(files))
    return True


def _delete_files(files: list) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:  # the row is gone either way; a file left behind is logged, not fatal
            logger.warning("expired render file %s could not be deleted", name, exc_info=True)
