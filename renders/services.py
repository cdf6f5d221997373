"""Submitting render jobs and running them (the worker side of a job's life)."""

import logging
import shutil
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_q.exceptions import TimeoutException
from django_q.tasks import async_task

from billing.services import release, reserve, settle
from mediakit.errors import RenderCancelled, StageError
from mediakit.pipeline import RenderContext, run_pipeline
from mediakit.speech.cache import SpeechCache
from mediakit.text.script import Block, speakers_in_order
from mediakit.video.storyboard import Storyboard
from renders import actions
from renders.models import RenderJob, RenderOutput
from renders.render_options import fetch_media, look_from_options
from studio.models import Script, Workspace
from voices.engine_context import engine_context
from voices.services import voice_specs_for

logger = logging.getLogger(__name__)

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
        transaction.on_commit(
            lambda: async_task("renders.tasks.render_job", job.pk, task_name=f"render-{job.public_id}")
        )
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
        transaction.on_commit(
            lambda: async_task("renders.tasks.render_job", job.pk, task_name=f"render-{job.public_id}-retry")
        )
    return job


def run_job(job_id: int) -> None:
    """Run a queued job to the end. Safe to call twice: a finished job is left alone.

    Every way out of here ends the job (or leaves it to a cancel), so no job stays running with its quota held.
    """
    job = RenderJob.objects.select_related("workspace").get(pk=job_id)
    if not actions.start_job(job):
        return
    workdir = settings.RENDER_WORK_DIR / str(job.public_id)
    limit = settings.RENDER_TIMEOUT
    # The pipeline stops itself a little before django-q2's timeout ends the worker, like a cancel: its
    # thread pools and ffmpeg processes stop, and the job fails here with its quota released.
    deadline = time.monotonic() + limit - min(30.0, limit / 2)
    timed_out = f"the render took longer than {limit} s and was stopped."
    cancelled = _cancel_checker(job)
    ctx: RenderContext | None = None
    try:
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
        release(job)
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


def fail_stale_jobs() -> int:
    """Fail the jobs whose worker died without ending them, so they stop holding quota; returns how many.

    Run every few minutes by the worker's scheduler (the schedule is created by migration renders.0004).
    """
    cutoff = timezone.now() - timedelta(seconds=settings.RENDER_STALE_AFTER)
    stale = list(RenderJob.objects.filter(status=RenderJob.Status.RUNNING, started_at__lt=cutoff))
    for job in stale:
        logger.warning("render %s lost its worker; failing it", job.public_id)
        actions.fail_job(job, f"{job.stage or 'setup'}: the render stopped unexpectedly; retry it.")
    return len(stale)


def narration_settings() -> dict[str, Any]:
    return {
        "engines": engine_context(),
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
