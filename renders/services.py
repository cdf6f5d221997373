"""Submitting render jobs and running them (the worker side of a job's life)."""

import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_q.exceptions import TimeoutException
from django_q.models import OrmQ
from django_q.tasks import async_task

from billing.services import release, reserve, settle
from renders import actions
from renders.models import RenderJob, RenderOutput
from renders.pipeline import RenderCancelled, RenderContext, StageError, run_pipeline
from renders.pipeline.script import Block, speakers_in_order
from renders.pipeline.speech_cache import SpeechCache
from renders.pipeline.storyboard import Storyboard
from renders.render_options import fetch_media, look_from_options
from studio.models import Script, Workspace
from voices.services import voice_specs_for

logger = logging.getLogger(__name__)

RENDER_TASK = "renders.tasks.render_job"
SWEEP_EVERY = 60.0  # seconds, like the `renders.sweep_jobs` schedule

# Pipeline output name -> what we store it as.
STORED_OUTPUTS = {
    "wav": RenderOutput.Kind.WAV,
    "mp3": RenderOutput.Kind.MP3,
    "srt": RenderOutput.Kind.SRT,
    "vtt": RenderOutput.Kind.VTT,
    "json": RenderOutput.Kind.JSON,
    "mp4": RenderOutput.Kind.MP4,
    "thumbnail": RenderOutput.Kind.THUMBNAIL,
    "storyboard": RenderOutput.Kind.STORYBOARD,
}


def submit_render(
    *,
    workspace: Workspace,
    blocks: list[Block],
    title: str,
    kind: str = RenderJob.Kind.VIDEO,
    user: Any = None,
    script: Script | None = None,
    options: dict[str, Any] | None = None,
    voices: dict[str, dict[str, Any]] | None = None,
) -> RenderJob:
    """Freeze what to render (blocks, voices, options) and queue it once the row has committed.

    Raises billing.services.QuotaExceeded, creating nothing, when the workspace's plan cannot take it.
    """
    # `voices` (frozen specs of an earlier job) let a storyboard's video reuse the narration it was timed on.
    voices = voices or voice_specs_for(workspace.pk, speakers_in_order(blocks))
    with transaction.atomic():
        admission = reserve(workspace=workspace, blocks=blocks, kind=kind, options=options)
        job = RenderJob.objects.create(
            workspace=workspace,
            script=script,
            created_by=user,
            title=title,
            kind=kind,
            blocks=[block.to_dict() for block in blocks],
            options={
                **(options or {}),
                "height": admission.video_height,
                "watermark": admission.watermark,
                "voices": voices,
            },
        )
        admission.hold_for(job)
        _enqueue_on_commit(job, "")
    return job


def regenerate_block(job: RenderJob, index: int, user: Any = None) -> RenderJob:
    """A new job like `job` whose block `index` is synthesised afresh; every other block comes from the
    speech cache, so its audio stays byte-identical."""
    if not 0 <= index < len(job.blocks):
        raise ValueError(f"this job has no block {index + 1}")
    options = {key: value for key, value in job.options.items() if key not in {"voices", "regenerate_blocks"}}
    return submit_render(
        workspace=job.workspace,
        blocks=[Block.from_dict(block) for block in job.blocks],
        title=job.title,
        kind=job.kind,
        user=user,
        script=job.script,
        options={**options, "regenerate_blocks": [index]},
        voices=job.options["voices"],
    )


def retry_job(job: RenderJob) -> RenderJob:
    """Queue a failed job again. Narration units it finished come back from the speech cache, so only
    the work that failed is redone. Raises ValueError for a job that did not fail, QuotaExceeded when the
    plan cannot take it now."""
    if job.status != RenderJob.Status.FAILED:
        raise ValueError(f"only a failed render can be retried; this one {job.status}")
    blocks = [Block.from_dict(block) for block in job.blocks]
    with transaction.atomic():
        admission = reserve(workspace=job.workspace, blocks=blocks, kind=job.kind, options=job.options)
        # `job` may be stale (a double click): only the retry that moves the row itself goes on.
        if not actions.requeue_job(job):
            raise ValueError(f"only a failed render can be retried; this one {job.status}")
        admission.hold_for(job)
        _enqueue_on_commit(job, "-retry")
    return job


def _enqueue_on_commit(job: RenderJob, suffix: str) -> None:
    transaction.on_commit(lambda: async_task(RENDER_TASK, job.pk, task_name=f"render-{job.public_id}{suffix}"))


def run_job(job_id: int) -> None:
    """Run a queued job to the end. Safe to deliver twice: a job that ended, or that another live worker runs,
    is left alone; a job whose worker died (the broker's redelivery came before the sweep) gets another attempt.

    Every way out of here ends the job (or leaves it to a cancel), so no job stays running with its quota held.
    """
    job = RenderJob.objects.select_related("workspace").get(pk=job_id)
    if job.status == RenderJob.Status.RUNNING and recover_lost_job(job) != "requeued":
        return
    if not actions.start_job(job, worker=f"{socket.gethostname()}:{os.getpid()}"):
        return
    workdir = work_dir(job)
    shutil.rmtree(workdir, ignore_errors=True)  # what an attempt whose worker died here left behind
    limit = settings.RENDER_TIMEOUT
    # The pipeline stops itself a little before django-q2's timeout ends the worker, like a cancel: its
    # thread pools and ffmpeg processes stop, and the job fails here with its quota released.
    deadline = time.monotonic() + limit - min(30.0, limit / 2)
    timed_out = f"the render took longer than {limit} s and was stopped."
    cancelled = _cancel_checker(job)
    ctx: RenderContext | None = None
    try:
        with heartbeat(job):
            ctx = _context_for(job, workdir, lambda: cancelled() or time.monotonic() >= deadline)
            fetch_media(job, ctx)
            run_pipeline(ctx)
            if job.options.get("storyboard"):
                # Deliver the edited storyboard as saved (storage names), never this worker's local copies.
                ctx.outputs["storyboard"].write_text(Storyboard.from_json(job.options["storyboard"]).to_json())
            if cancelled():  # past the deadline now, the finished render is still delivered
                raise RenderCancelled()
            with transaction.atomic():
                _store_outputs(job, ctx)
                if not actions.finish_job(job, ctx.report):
                    raise RenderCancelled()  # cancelled at the last moment: roll the outputs back
                settle(job, narration_seconds=ctx.duration, narration_reused=_narration_reused(ctx.report))
    except RenderCancelled:
        if time.monotonic() >= deadline:
            logger.warning("render %s timed out", job.public_id)
            actions.fail_job(job, f"{_stage(ctx)}: {timed_out}")
        else:
            logger.info("render %s cancelled", job.public_id)
        if RenderJob.objects.filter(pk=job.pk, status=RenderJob.Status.CANCELLED).exists():
            release(job)  # (again: release is idempotent) never for a later attempt's reservation
    except StageError as error:
        actions.fail_job(job, f"{_stage(ctx)}: {error}")
    except TimeoutException:
        # Past the deadline in a step that does not poll (loading a model): django-q2 raises this SystemExit
        # in the task's thread, and ends the worker process after it.
        logger.warning("render %s timed out", job.public_id)
        actions.fail_job(job, f"{_stage(ctx)}: {timed_out}")
        raise
    except Exception:
        logger.exception("render %s crashed", job.public_id)
        actions.fail_job(job, f"{_stage(ctx)}: an internal error stopped the render; it has been logged.")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


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


def _context_for(job: RenderJob, workdir: Path, is_cancelled: Callable[[], bool]) -> RenderContext:
    ctx = RenderContext(
        blocks=[Block.from_dict(block) for block in job.blocks],
        voices=job.options["voices"],
        workdir=workdir,
        video=job.kind == RenderJob.Kind.VIDEO,
        aspect=job.options.get("aspect", "9:16"),
        video_height=job.options.get("height", settings.RENDER_VIDEO_HEIGHT),
        language=job.options.get("language", "en"),
        speech_cache=SpeechCache(default_storage, f"workspaces/{job.workspace_id}/speech-cache"),
        regenerate_blocks=frozenset(job.options.get("regenerate_blocks", [])),
        **narration_settings(),
        **look_from_options(job.options),
        is_cancelled=is_cancelled,
    )
    ctx.on_progress = lambda stage, percent: actions.report_progress(job, stage, percent, ctx.report)
    return ctx


def _stage(ctx: RenderContext | None) -> str:
    return ctx.stage if ctx else "setup"


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
                _enqueue_on_commit(job, f"-attempt-{job.attempts + 1}")
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
    # Each task is a signed package: read them all (the queue is short) for the job ids they carry.
    queued_ids = {
        (row.task.get("args") or (None,))[0] for row in OrmQ.objects.all() if row.task.get("func") == RENDER_TASK
    }
    for job in waiting:
        if job.pk not in queued_ids:
            with transaction.atomic():
                if actions.requeue_lost_task(job):
                    logger.warning("render %s lost its task; queueing it again", job.public_id)
                    _enqueue_on_commit(job, "-requeued")


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


def narration_settings() -> dict[str, Any]:
    return {
        "verify": settings.RENDER_VERIFY,
        "max_tries": settings.RENDER_MAX_TRIES,
        "max_error_rate": settings.RENDER_MAX_ERROR_RATE,
        "workers": settings.RENDER_VERIFY_WORKERS,
    }


def _narration_reused(report: dict[str, Any]) -> bool:
    """True when the narrate stage took every unit from the speech cache (nothing was synthesised)."""
    return all(unit["cached"] for block in report["blocks"] for unit in block["units"])


def _store_outputs(job: RenderJob, ctx: RenderContext) -> None:
    job.outputs.all().delete()
    for name, kind in STORED_OUTPUTS.items():
        path = ctx.outputs.get(name)
        if path is None:
            continue
        output = RenderOutput(job=job, kind=kind, size=path.stat().st_size)
        with path.open("rb") as handle:
            output.file.save(path.name, File(handle), save=False)
        output.save()


def _cancel_checker(job: RenderJob, interval: float = 1.0) -> Callable[[], bool]:
    """Asks the database at most once per `interval`: cancelling is rare, stages poll often."""
    last_check, cancelled = 0.0, False

    def is_cancelled() -> bool:
        nonlocal last_check, cancelled
        if not cancelled and time.monotonic() - last_check >= interval:
            last_check = time.monotonic()
            cancelled = RenderJob.objects.filter(pk=job.pk, status=RenderJob.Status.CANCELLED).exists()
        return cancelled

    return is_cancelled
