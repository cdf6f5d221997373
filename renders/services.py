"""Submitting render jobs and running them (the worker side of a job's life)."""

import logging
import os
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import structlog
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_q.exceptions import TimeoutException

from accounts import audit
from accounts.models import Workspace
from billing.limits import record_ai_video_usage
from mediakit.errors import RenderCancelled, StageError
from mediakit.pipeline import RenderContext, run_pipeline
from mediakit.speech.cache import CacheUse, SpeechCache
from mediakit.speech.engines import EngineError
from mediakit.text.lexicon import Lexicon
from mediakit.text.normalize import language_name
from mediakit.text.script import Block, speakers_in_order
from mediakit.video.storyboard import Storyboard
from renders import actions, caches, visuals
from renders.media import fetch_media
from renders.models import RenderJob, RenderOutput
from renders.options import InvalidRenderOptions, RenderOptions
from renders.quota import admit, release_job, settle_job
from renders.storage import STORAGE_ERRORS, storage_failure
from renders.worker import enqueue_on_commit, heartbeat, recover_lost_job, work_dir
from scripts.dictionaries import scope_of, vendor_dictionaries
from scripts.models import Script
from scripts.pronunciations import lexicon_for
from telemetry import counters
from voices.engine_context import engine_context
from voices.models import Voice
from voices.services import engine, voice_specs_for

logger = logging.getLogger(__name__)
stage_log = structlog.stdlib.get_logger("renders.stages")


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


class StorageFailed(Exception):
    """An output could not be written to storage (a full disk, an S3 store that cannot be reached)."""


class Refused(Exception):
    """What was asked cannot be done to this job now; the message is a sentence for the creator."""


class VoiceLanguageRefused(Refused):
    """A speaker's voice cannot speak the script's language; the message names the voice and the language
    (a regenerated block or a storyboard's video whose ElevenLabs key has gone since is refused this way too)."""


def check_voices_speak(voices: dict[str, dict[str, Any]], language: str) -> None:
    """Refuse (VoiceLanguageRefused) voices whose engine, as configured here, cannot say `language`: a Korean
    script said by an English-only voice would be gibberish, paid for and rendered for nothing."""
    for speaker, spec in voices.items():
        try:
            speaker_engine = engine(spec["engine"])
        except EngineError:
            continue  # an engine this installation lacks fails the job with its own message
        if not speaker_engine.speaks(language):
            name = _voice_name(spec)
            raise VoiceLanguageRefused(
                f"{speaker}'s voice {name} ({speaker_engine.label}) cannot speak {language_name(language)}: "
                f"give {speaker} a voice that speaks it (ElevenLabs' multilingual voices do), or change the "
                "script's language."
            )


def _voice_name(spec: dict[str, Any]) -> str:
    """A library voice's name, else the built-in voice's id, quoted."""
    voice = Voice.objects.filter(pk=spec["voice_pk"]).first() if spec.get("voice_pk") else None
    return f"“{voice.name if voice else spec['voice_id']}”"


def create_job(
    *,
    workspace: Workspace,
    blocks: list[Block],
    title: str,
    kind: str = RenderJob.Kind.VIDEO,
    options: RenderOptions | None = None,
    user: Any = None,
    script: Script | None = None,
    run_here: bool = False,
) -> RenderJob:
    """The one way a job comes to exist: what to render (blocks, voices, options) frozen on the row and its
    quota reserved, in one transaction. Queued for the worker once committed; with `run_here` (the drop-in
    endpoints' speech, made while the client waits) it is running at once and the caller runs it.

    Raises billing's QuotaExceeded, creating nothing, when the workspace's plan cannot take it, and
    VoiceLanguageRefused when a speaker's voice cannot speak the script's language.
    """
    # Frozen voices (an earlier job's) let regenerated blocks and a storyboard's video reuse its narration.
    options = options or RenderOptions()
    if not options.voices:
        chosen = script.voices if script is not None else None  # the script's speakers panel
        options = options.with_changes(voices=voice_specs_for(workspace.pk, speakers_in_order(blocks), chosen))
    if options.pronunciations is None:  # frozen: editing the dictionary later never changes this job
        campaign = script.campaign if script is not None else None
        options = options.with_changes(pronunciations=lexicon_for(workspace, campaign))
    check_voices_speak(options.voices, options.language)
    with transaction.atomic():
        admission, options = admit(workspace, blocks, kind, options)
        job = RenderJob.objects.create(
            workspace=workspace,
            script=script,
            created_by=user,
            title=title[:200],
            kind=kind,
            blocks=[block.to_dict() for block in blocks],
            options=options.to_json(),
            **({"status": RenderJob.Status.RUNNING, "started_at": timezone.now()} if run_here else {}),
        )
        admission.hold_for(job.pk)
        if not run_here:  # the drop-in endpoints' speech is an API call, not a render to account for
            audit.record(
                workspace, user, "render.created", f"Started the {job.get_kind_display().lower()} “{job.title}”"
            )
            enqueue_on_commit(job, "")
    return job


def regenerate_block(job: RenderJob, index: int, user: Any = None) -> RenderJob:
    """A new job like `job` whose block `index` is synthesised afresh; every other block comes from the
    speech cache, so its audio stays byte-identical."""
    return regenerate_blocks(job, [index], user)


def regenerate_blocks(
    job: RenderJob, indices: list[int], user: Any = None, texts: dict[int, str] | None = None
) -> RenderJob:
    """`regenerate_block` for several blocks at once (one new job); `texts` gives some of them new words
    (a storyboard scene's words edited), the job's own blocks otherwise."""
    if not job.is_finished:
        raise Refused("Wait for this render to finish before regenerating a block.")
    for index in [*indices, *(texts or {})]:
        if not 0 <= index < len(job.blocks):
            raise Refused(f"This job has no block {index + 1}.")
    blocks = [Block.from_dict(block) for block in job.blocks]
    for index, text in (texts or {}).items():
        blocks[index] = replace(blocks[index], text=text)
    return create_job(
        workspace=job.workspace,
        blocks=blocks,
        title=job.title,
        kind=job.kind,
        user=user,
        script=job.script,
        options=job.render_options.for_regeneration(*indices),
    )


def duplicate_job(job: RenderJob, user: Any = None) -> RenderJob:
    """Render again: a new job with `job`'s frozen blocks and options (voices, dictionary, look, formats),
    admitted as any render is (QuotaExceeded creates nothing). Its narration comes back from the speech cache,
    so no block is said afresh again, and it is queued like any render (not a drop-in call's synchronous speech).
    Raises Refused for a job that has not ended."""
    if not job.is_finished:
        raise Refused("Wait for this render to finish before rendering it again.")
    return create_job(
        workspace=job.workspace,
        blocks=[Block.from_dict(block) for block in job.blocks],
        title=job.title,
        kind=job.kind,
        user=user,
        script=job.script,
        options=job.render_options.with_changes(regenerate_blocks=(), source=""),
    )


def retry_job(job: RenderJob) -> RenderJob:
    """Queue a failed job again. Narration units it finished come back from the speech cache, so only
    the work that failed is redone. Raises Refused for a job that did not fail, QuotaExceeded when the
    plan cannot take it now."""
    if job.status != RenderJob.Status.FAILED:
        raise Refused(f"Only a failed render can be retried; this one {job.status}.")
    blocks = [Block.from_dict(block) for block in job.blocks]
    with transaction.atomic():
        admission, _ = admit(job.workspace, blocks, job.kind, job.render_options)
        # `job` may be stale (a double click): only the retry that moves the row itself goes on.
        if not actions.requeue_job(job):
            raise Refused(f"Only a failed render can be retried; this one {job.status}.")
        admission.hold_for(job.pk)
        enqueue_on_commit(job, "-retry")
    return job


def run_job(job_id: int) -> None:
    """Run a queued job to the end. Safe to deliver twice: a job that ended, or that another live worker runs,
    is left alone; a job whose worker died (the broker's redelivery came before the sweep) gets another attempt.

    Every way out of here ends the job (or leaves it to a cancel), so no job stays running with its quota held.
    """
    job = RenderJob.objects.select_related("workspace").get(pk=job_id)
    # Every line logged while it runs names the job (and, from the first stage on, the stage: `_context_for`).
    with structlog.contextvars.bound_contextvars(job_id=str(job.public_id), workspace=job.workspace_id):
        _run(job)


def _run(job: RenderJob) -> None:
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
            options = job.render_options
            ctx = _context_for(job, options, workdir, lambda: cancelled() or time.monotonic() >= deadline)
            fetch_media(job, options, ctx)
            run_pipeline(ctx)
            count_pipeline(ctx.report)
            if options.storyboard:
                # Deliver the edited storyboard as saved (storage names), never this worker's local copies.
                ctx.outputs["storyboard"].write_text(Storyboard.from_json(options.storyboard).to_json())
            if cancelled():  # past the deadline now, the finished render is still delivered
                raise RenderCancelled()
            ctx.stage = "outputs"
            outputs = _upload_outputs(job, ctx)  # before the transaction: no row stays locked while bytes travel
            with transaction.atomic():
                _record_outputs(job, outputs)
                if not actions.finish_job(job, ctx.report):
                    raise RenderCancelled()  # cancelled at the last moment: roll the outputs back
                settle_job(job, ctx.duration, narration_reused=_narration_reused(ctx.report))
    except RenderCancelled:
        if time.monotonic() >= deadline:
            logger.warning("render %s timed out", job.public_id)
            actions.fail_job(job, f"{_stage(ctx)}: {timed_out}")
        else:
            logger.info("render %s cancelled", job.public_id)
        if RenderJob.objects.filter(pk=job.pk, status=RenderJob.Status.CANCELLED).exists():
            release_job(job)  # (again: release is idempotent) never for a later attempt's reservation
    except StorageFailed as failure:
        logger.exception("render %s: its outputs could not be stored", job.public_id)
        # Counted here, after the transaction that stored the outputs rolled back (the count would go with it).
        counters.increment(counters.STORAGE_ERRORS, operation="save")
        cause = failure.__cause__
        said = storage_failure(cause) if isinstance(cause, STORAGE_ERRORS) else "the outputs could not be stored"
        actions.fail_job(job, f"store: {said}; try again later (it has been logged).")
    except (StageError, InvalidRenderOptions) as error:  # a row written by an older version may not load
        actions.fail_job(job, f"{_stage(ctx)}: {error}")
    except STORAGE_ERRORS as error:  # the bucket is down, missing or refuses us: say so, the creator can retry
        logger.exception("render %s: file storage failed", job.public_id)
        counters.increment(counters.STORAGE_ERRORS, operation="render")
        actions.fail_job(job, f"{_stage(ctx)}: {storage_failure(error)}; retry the render later.")
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
        if ctx is not None and ctx.speech_cache is not None:
            _record_speech_cache_use(job, ctx.speech_cache.use)
        if ctx is not None and ctx.report.get("ai_video_seconds"):
            # Made is billed, whether or not the render then succeeded.
            record_ai_video_usage(job.workspace_id, job.pk, ctx.report["ai_video_seconds"])


def _record_speech_cache_use(job: RenderJob, use: CacheUse) -> None:
    try:
        caches.record_use(caches.SPEECH, use)
    except Exception:  # counting and evicting must never change how the job ended
        logger.exception("render %s: the speech cache's use was not recorded", job.public_id)


def _context_for(
    job: RenderJob, options: RenderOptions, workdir: Path, is_cancelled: Callable[[], bool]
) -> RenderContext:
    blocks = [Block.from_dict(block) for block in job.blocks]
    if missing := [speaker for speaker in speakers_in_order(blocks) if speaker not in options.voices]:
        raise InvalidRenderOptions(f"no voice was frozen for {missing[0]}; submit the script again")
    chosen, visual_notes = visuals.visuals_for(
        job.workspace,
        workdir,
        options.height or settings.RENDER_VIDEO_HEIGHT,
        # An edited storyboard asks through its scenes (the editor's "Make with AI video").
        ai_video=options.ai_video or any(s.get("ai_video") for s in (options.storyboard or {}).get("scenes", [])),
        avatar_intro=options.avatar_intro,
    )
    ctx = RenderContext(
        blocks=blocks,
        voices=options.voices,
        workdir=workdir,
        video=job.kind == RenderJob.Kind.VIDEO,
        aspect=options.aspect or "9:16",
        video_height=options.height or settings.RENDER_VIDEO_HEIGHT,
        language=options.language,
        lexicon=Lexicon.of((options.pronunciations or {}).items()),
        dictionaries=_dictionaries_for(job, options),
        speech_cache=SpeechCache(default_storage, f"workspaces/{job.workspace_id}/speech-cache"),
        regenerate_blocks=frozenset(options.regenerate_blocks),
        look_cache=settings.RENDER_LOOK_CACHE,
        visuals=chosen,
        **narration_settings(),
        **options.look(),
        is_cancelled=is_cancelled,
    )
    if visual_notes:
        ctx.report["visual_notes"] = visual_notes
    current = ""

    def on_progress(stage: str, percent: int) -> None:
        nonlocal current
        if stage != current:  # a stage starts (run_pipeline reports 0 % first, on this thread)
            current = stage
            structlog.contextvars.bind_contextvars(stage=stage)
            stage_log.info("stage started", percent=percent)
        actions.report_progress(job, stage, percent, ctx.report)

    ctx.on_progress = on_progress
    return ctx


def _dictionaries_for(job: RenderJob, options: RenderOptions) -> dict[str, tuple[tuple[str, str], ...]]:
    """The job's pronunciations saved at the vendors of its voices that keep dictionaries (ElevenLabs)."""
    names = {voice["engine"] for voice in options.voices.values()}
    scope = scope_of(job.script.campaign_id if job.script is not None else None)
    try:
        engines = {name: engine(name) for name in names}
        return vendor_dictionaries(job.workspace_id, scope, options.pronunciations or {}, engines)
    except EngineError as error:
        raise StageError(f"the pronunciation dictionary could not be saved: {error}") from error


def count_pipeline(report: dict[str, Any]) -> None:
    """The pipeline's figures into the metrics: each stage's wall time, narration units heard wrong and said
    again, units that never passed. Units from the speech cache were counted when first made."""
    for stage, seconds in report.get("stages", {}).items():
        counters.observe(counters.STAGE_SECONDS, seconds, stage=stage)
    made = [unit for block in report.get("blocks", []) for unit in block["units"] if not unit["cached"]]
    counters.increment(counters.VERIFICATION_RETRIES, sum(max(unit["tries"] - 1, 0) for unit in made))
    counters.increment(counters.FLAGGED_UNITS, sum(not unit["passed"] for unit in made))


def _stage(ctx: RenderContext | None) -> str:
    return ctx.stage if ctx else "setup"


def narration_settings() -> dict[str, Any]:
    return {
        "verify": settings.RENDER_VERIFY,
        "max_tries": settings.RENDER_MAX_TRIES,
        "max_error_rate": settings.RENDER_MAX_ERROR_RATE,
        "short_unit_words": settings.RENDER_SHORT_UNIT_WORDS,
        "must_hear": settings.RENDER_MUST_HEAR,
        "workers": settings.RENDER_VERIFY_WORKERS,
        "engines": engine_context(),
    }


def _narration_reused(report: dict[str, Any]) -> bool:
    """True when the narrate stage took every unit from the speech cache (nothing was synthesised)."""
    return all(unit["cached"] for block in report["blocks"] for unit in block["units"])


def _upload_outputs(job: RenderJob, ctx: RenderContext) -> list[RenderOutput]:
    """The pipeline's files into storage (a bucket when there is one), as rows not yet saved."""
    outputs = []
    for name, kind in STORED_OUTPUTS.items():
        path = ctx.outputs.get(name)
        if path is None:
            continue
        output = RenderOutput(job=job, kind=kind, size=path.stat().st_size)
        try:
            with path.open("rb") as handle:
                output.file.save(path.name, File(handle), save=False)
        except Exception as error:  # whatever the backend raises (OSError, botocore's errors)
            raise StorageFailed(f"{kind}: {error}") from error
        outputs.append(output)
    return outputs


def _record_outputs(job: RenderJob, outputs: list[RenderOutput]) -> None:
    job.outputs.all().delete()  # an earlier attempt's rows
    for output in outputs:
        output.save()


def _cancel_checker(job: RenderJob, interval: float = 1.0) -> Callable[[], bool]:
    """Asks the database at most once per `interval`: cancelling is rare, stages poll often."""
    last_check, cancelled = 0.0, False

    def is_cancelled() -> bool:
        nonlocal last_check, cancelled
        if not cancelled and time.monotonic() - last_check >= interval:
            last_check = time.monotonic()
            # A job deleted while it runs (the Studio's delete cancels, then removes the row) is cancelled too.
            cancelled = not RenderJob.objects.filter(pk=job.pk).exclude(status=RenderJob.Status.CANCELLED).exists()
        return cancelled

    return is_cancelled


def delete_outputs(job: RenderJob, *, by) -> RenderJob:
    """Cancel the job if it is still going (renders' actions), then delete its files; the row stays. Audited."""
    _cancel_and_delete_files(job)
    audit.record(job.workspace_id, by, "render.files_deleted", f"Deleted the files of the render “{job.title}”")
    return job


def delete_job(job: RenderJob, *, by) -> None:
    """Cancel, delete the files, then the row. Usage already charged stays (usage entries outlive their job)."""
    _cancel_and_delete_files(job)
    audit.record(job.workspace_id, by, "render.deleted", f"Deleted the render “{job.title}” and its files")
    job.delete()


def _cancel_and_delete_files(job: RenderJob) -> None:
    actions.cancel_job(job)
    for output in job.outputs.all():
        output.file.delete(save=False)
        output.delete()
