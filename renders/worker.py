"""The worker side of a job's life outside the render itself: queueing its task, the heartbeat a running
render stamps, and the sweep that finds jobs whose worker died or whose task was lost."""

import logging
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

import lanes
from mediakit.text.script import Block
from renders import actions
from renders.models import RenderJob
from renders.options import InvalidRenderOptions
from renders.quota import estimate

logger = logging.getLogger(__name__)

RENDER_TASK = "renders.tasks.render_job"
SWEEP_EVERY = 60.0  # seconds, like the `renders.sweep_jobs` schedule


def enqueue_on_commit(job: RenderJob, suffix: str) -> None:
    lane = lane_for(job)
    transaction.on_commit(
        lambda: lanes.enqueue(RENDER_TASK, job.pk, lane=lane, task_name=f"render-{job.public_id}{suffix}")
    )


def lane_for(job: RenderJob) -> lanes.Lane:
    """A short narration (a preview, a regenerated line) takes the fast lane, so it never waits behind a video;
    videos and long narrations take the render lane."""
    if job.kind != RenderJob.Kind.AUDIO:
        return lanes.RENDER
    try:
        _, seconds = estimate([Block.from_dict(block) for block in job.blocks], job.render_options.language)
    except (InvalidRenderOptions, KeyError, TypeError, ValueError):  # a row an older version wrote: the worker
        return lanes.RENDER  # will fail it with a clear message; the lane does not matter then
    return lanes.FAST if seconds <= settings.FAST_RENDER_MAX_SECONDS else lanes.RENDER


def work_dir(job: RenderJob) -> Path:
    return settings.RENDER_WORK_DIR / str(job.public_id)


@contextmanager
def heartbeat(job: RenderJob) -> Iterator[None]:
    """While the block runs, a thread stamps the job's heartbeat every RENDER_HEARTBEAT_INTERVAL s: the sweep
    tells a live render from one whose worker died by it, whatever the render's own thread is busy with.

    The thread also sweeps once a minute, like the schedule: with every worker busy rendering, the schedule's
    task waits in the queue, and a peer's dead job would look frozen until a worker came free.
    """
    stop = threading.Event()

    def beat() -> None:
        swept = time.monotonic()
        try:
            while not stop.wait(settings.RENDER_HEARTBEAT_INTERVAL):
                try:
                    if not actions.record_heartbeat(job):
                        return  # cancelled, or taken for dead: nothing of ours left to keep alive
                except DatabaseError:
                    logger.warning("render %s: heartbeat not recorded", job.public_id, exc_info=True)
                if time.monotonic() - swept >= SWEEP_EVERY:
                    swept = time.monotonic()
                    _sweep_beside(job)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{job.public_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _sweep_beside(job: RenderJob) -> None:
    try:
        sweep_jobs()
    except Exception:  # a failed sweep must not stop the heartbeat: this render would be taken for dead
        logger.exception("render %s: the sweep beside it failed", job.public_id)


def sweep_jobs() -> None:
    """No job lost or stuck: run every minute by the worker's scheduler (the `renders.sweep_jobs` schedule,
    migration renders.0005).

    A job whose worker died runs again (its finished narration units come back from the speech cache) or,
    after RENDER_MAX_ATTEMPTS starts, fails; a queued job whose broker task is gone gets a new one; a job
    without a heartbeat that ran past RENDER_STALE_AFTER fails; work directories nobody runs are removed.
    """
    for job in RenderJob.objects.filter(RenderJob.lost_worker()):
        with transaction.atomic():
            if recover_lost_job(job) == "requeued":
                enqueue_on_commit(job, f"-attempt-{job.attempts + 1}")
    _requeue_lost_tasks()
    _fail_stale_jobs()
    _remove_orphaned_work_dirs()


def recover_lost_job(job: RenderJob) -> str | None:
    """A running job whose worker died: queued for another attempt ("requeued", the caller sends its task) or,
    out of attempts, failed ("failed"). None when its worker is alive after all or someone else was first."""
    if not RenderJob.objects.filter(RenderJob.lost_worker(), pk=job.pk).exists():
        return None
    job.refresh_from_db()
    shutil.rmtree(work_dir(job), ignore_errors=True)
    stage, limit = job.stage or "setup", settings.RENDER_MAX_ATTEMPTS
    if job.attempts >= limit:
        logger.warning("render %s lost its worker %d times; failing it", job.public_id, job.attempts)
        failed = actions.fail_lost_job(job, f"{stage}: the worker kept stopping; failed after {job.attempts} attempts.")
        return "failed" if failed else None
    logger.warning("render %s lost its worker; queueing it again", job.public_id)
    notice = f"the worker stopped during {stage}; retried (attempt {job.attempts + 1} of {limit})"
    return "requeued" if actions.requeue_lost_job(job, notice) else None


def _requeue_lost_tasks() -> None:
    """Queued jobs past the grace period with no render task in the broker's queue (lost with a Redis broker
    or a failed enqueue) get a new task; a duplicate is harmless, only one delivery can start the job."""
    cutoff = timezone.now() - timedelta(seconds=settings.RENDER_SWEEP_GRACE)
    waiting = list(RenderJob.objects.filter(status=RenderJob.Status.QUEUED, queued_at__lt=cutoff))
    if not waiting:
        return
    # Each task is a signed package: read them all, in either lane and broker (the queues are short).
    queued_ids = {(task.get("args") or (None,))[0] for task in lanes.queued_tasks() if task.get("func") == RENDER_TASK}
    for job in waiting:
        if job.pk not in queued_ids:
            with transaction.atomic():
                if actions.requeue_lost_task(job):
                    logger.warning("render %s lost its task; queueing it again", job.public_id)
                    enqueue_on_commit(job, "-requeued")


def _fail_stale_jobs() -> None:
    cutoff = timezone.now() - timedelta(seconds=settings.RENDER_STALE_AFTER)
    stale = RenderJob.objects.filter(status=RenderJob.Status.RUNNING, heartbeat_at=None, started_at__lt=cutoff)
    for job in stale:
        logger.warning("render %s lost its worker; failing it", job.public_id)
        actions.fail_job(job, f"{job.stage or 'setup'}: the render stopped unexpectedly; retry it.")


def _remove_orphaned_work_dirs() -> None:
    """Work directories of jobs no worker runs here any more (the worker died, or the job was cancelled
    meanwhile), once untouched for the grace period. Only this machine's: RENDER_WORK_DIR is local."""
    root: Path = settings.RENDER_WORK_DIR
    if not root.is_dir():
        return
    cutoff = time.time() - settings.RENDER_SWEEP_GRACE
    for path in root.iterdir():
        try:
            public_id = uuid.UUID(path.name)
        except ValueError:
            continue  # not a job's: leave it
        if path.stat().st_mtime > cutoff:
            continue
        if not RenderJob.objects.filter(public_id=public_id, status=RenderJob.Status.RUNNING).exists():
            logger.info("removing the orphaned work directory %s", path)
            shutil.rmtree(path, ignore_errors=True)
