"""A series' life: rows become scripts (drafted when only a topic is given), scripts become renders in row
order within the plan's concurrent jobs, finished videos go to review."""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import lanes
from accounts import audit
from accounts.models import Workspace
from billing.quota import QuotaExceeded
from mediakit.text.outline import OutlineError, check_filled, unfilled_parts
from mediakit.text.script import Block, ScriptError, parse_text, speakers_in_order
from mediakit.video.storyboard import StoryboardError
from mediakit.writer.drafts import DraftRefused as WriterRefused
from mediakit.writer.providers import ProviderError
from publishing import actions, writer
from publishing.models import Series, SeriesRow
from publishing.uploads import RowInput
from renders import services as renders
from renders import storyboards
from renders.models import RenderJob
from renders.options import options_for_script
from scripts.models import Campaign, Script
from voices.models import Voice
from voices.services import voice_specs_for
from writer import services as ai_writer

DRAFT_ROW_TASK = "publishing.tasks.draft_row"

logger = logging.getLogger(__name__)
Status = SeriesRow.Status


class SeriesRefused(ValueError):
    """No row can go on (every one is reported), so no series is created."""

    def __init__(self, rows: list[RowInput]):
        self.rows = rows
        super().__init__("No row of the upload can go on: " + "; ".join(f"row {r.number}: {r.error}" for r in rows))


class Refused(ValueError):
    """What was asked cannot be done to this row now; the message is a sentence for the creator."""


def create_series(
    *, workspace: Workspace, campaign: Campaign, name: str, rows: list[RowInput], user: Any = None
) -> Series:
    """The series with every row (bad ones kept with their error), a script for each good row, and its first
    rows' renders queued. Raises SeriesRefused, creating nothing, when no row can go on."""
    if campaign.workspace_id != workspace.pk:
        raise ValueError("the campaign belongs to another workspace")
    _check_voices(workspace, rows)
    # With a writing model, a topic-only row is drafted by the AI writer in the fast lane (the upload does not
    # wait for the model); without one, by the offline outline writer here.
    by_model = bool(ai_writer.providers_on_offer())
    drafts = {} if by_model else {row.number: _draft(row) for row in rows if not row.error and not row.script}
    if not any(not row.error for row in rows):
        raise SeriesRefused(rows)
    with transaction.atomic():
        series = Series.objects.create(workspace=workspace, campaign=campaign, name=name[:200], created_by=user)
        for row in rows:
            _add_row(series, row, drafts.get(row.number), user)
        drafting = [row.pk for row in series.rows.filter(status=Status.DRAFTING)]
        for row_id in drafting:
            transaction.on_commit(lambda row_id=row_id: lanes.enqueue(DRAFT_ROW_TASK, row_id, lane=lanes.FAST))
        good = sum(1 for row in rows if not row.error)
        audit.record(
            workspace, user, "series.created", f"Started the series “{series.name}” ({good} of {len(rows)} rows)"
        )
    advance(series)
    return series


def _check_voices(workspace: Workspace, rows: list[RowInput]) -> None:
    """A row's voice overrides must name voices of the library: a typo is the row's error, not a default voice."""
    library = {name.lower() for name in Voice.objects.filter(workspace=workspace).values_list("name", flat=True)}
    for row in rows:
        missing = next((voice for voice in row.voices.values() if voice.lower() not in library), None)
        if not row.error and missing:
            row.error = f"voices: no voice named {missing!r} in your library"


def _draft(row: RowInput) -> writer.Draft | None:
    try:
        return writer.draft_script(row.topic, language=row.language or "en")
    except writer.DraftRefused as refused:
        row.error = f"topic: {refused}"
        return None


def _add_row(series: Series, row: RowInput, draft: writer.Draft | None, user: Any) -> SeriesRow:
    script, status = None, Status.INVALID if row.error else Status.WAITING
    if not row.error and not row.script and draft is None:
        status = Status.DRAFTING  # the AI writer's task writes its script
    elif not row.error:
        body = row.script or draft.body
        script = Script.objects.create(
            workspace=series.workspace,
            campaign=series.campaign,
            title=(row.title or (draft.title if draft else "") or f"{series.name}, row {row.number}")[:200],
            language=row.language or "en",
            body=body,
            created_by=user,
        )
        if unfilled_parts(body):  # an offline outline: waits for its writer, takes no render slot
            status = Status.NEEDS_SCRIPT
    return SeriesRow.objects.create(
        series=series, number=row.number, status=status, error=row.error, topic=row.topic, title=row.title,
        description=row.description, tags=row.tags, language=row.language, voices=row.voices,
        publish_at=row.publish_at, ai_disclosure=row.ai_disclosure, script=script,
    )  # fmt: skip


def draft_row(row_id: int) -> None:
    """The fast-lane task for a topic-only row: the AI writer drafts its script (tokens on the ledger), then the
    row waits for a render slot; on any refusal it fails with the provider's reason and no script is kept."""
    row = SeriesRow.objects.select_related("series__workspace", "series__campaign").filter(pk=row_id).first()
    if row is None or row.status != Status.DRAFTING:
        return  # deleted, or already drafted by another worker
    series = row.series
    try:
        config = ai_writer.provider_for(series.workspace)
        brief = ai_writer.brief_for(
            series.workspace, topic=row.topic, platform="shorts", seconds=settings.SERIES_DRAFT_SECONDS,
            tone="friendly", speakers=["Host"], language=row.language or "en", campaign=series.campaign,
        )  # fmt: skip
        draft, _usage = ai_writer.draft(series.workspace, series.created_by, brief, config)
    except (ai_writer.WriterUnavailable, ProviderError, WriterRefused, QuotaExceeded) as error:
        actions.row_failed(row, f"The AI writer could not draft it: {error}")
        return
    except OutlineError as error:
        actions.row_failed(row, f"topic: {error}")
        return
    with transaction.atomic():
        if not actions.row_drafted(row, _row_script(row, draft.title, draft.body)):
            transaction.set_rollback(True)  # the row moved on meanwhile (deleted, cancelled): keep nothing
            return
    advance(series)


DRAFT_STOPPED = "The AI writer stopped answering; nothing was saved. Send the row on again to retry."


def fail_stale_drafting_rows() -> int:
    """Rows still drafting WRITER_DRAFT_STALE_AFTER after they were sent to the writer (its fast-lane task died or
    was lost) are failed in plain words, like the writer's stale drafts: the series does not wait on them forever,
    and the creator can send them on again. Run every minute by the `publishing.fail_stale_drafting_rows`
    schedule."""
    drafting_since = timezone.now() - timedelta(seconds=settings.WRITER_DRAFT_STALE_AFTER)
    stale = SeriesRow.objects.filter(status=Status.DRAFTING, updated_at__lt=drafting_since).select_related("series")
    return sum(actions.row_draft_stopped(row, drafting_since, DRAFT_STOPPED) for row in stale)


def _row_script(row: SeriesRow, drafted_title: str, body: str) -> Script:
    series = row.series
    return Script.objects.create(
        workspace=series.workspace, campaign=series.campaign,
        title=(row.title or drafted_title or f"{series.name}, row {row.number}")[:200],
        language=row.language or "en", body=body, created_by=series.created_by,
    )  # fmt: skip


def advance(series: Series) -> None:
    """Start the series' waiting rows in order while the plan has a free render slot; the next job of the
    workspace to end calls this again (`job_ended`). The series row is locked, so two job ends never start
    the same row twice."""
    with transaction.atomic():
        locked = Series.objects.select_for_update().get(pk=series.pk)
        for row in locked.rows.filter(status=Status.WAITING).select_related("script").order_by("number"):
            if not _start(locked, row):
                break


def _start(series: Series, row: SeriesRow) -> bool:
    """Queue the row's render. False when the plan has no free slot now (the row keeps waiting)."""
    row.series = series
    script = row.script
    if script is None:
        actions.row_failed(row, "Its script was deleted; this row cannot render.")
        return True
    try:
        blocks = parse_text(script.body, max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
        check_filled(blocks)
    except ScriptError as error:
        if unfilled_parts(script.body):
            actions.row_needs_script(row)
        else:
            actions.row_failed(row, f"Its script cannot render: {error}")
        return True
    options = options_for_script(script, aspect=series.campaign.aspect)
    if row.voices:
        options = options.with_changes(voices=_voices_for(series.workspace_id, blocks, row.voices))
    try:
        job = renders.create_job(
            workspace=series.workspace, blocks=blocks, title=row.label, kind=RenderJob.Kind.VIDEO,
            options=options, user=series.created_by, script=script,
        )  # fmt: skip
    except QuotaExceeded as refused:
        if "concurrent_jobs" in refused.needed:
            return False
        actions.row_failed(row, refused.message)
        return True
    except renders.VoiceLanguageRefused as refused:
        actions.row_failed(row, str(refused))
        return True
    actions.row_started(row, job)
    return True


def _voices_for(workspace_id: int, blocks: list[Block], overrides: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each speaker's frozen voice: the row's override (a voice name of the library) else the speaker's name."""
    speakers = speakers_in_order(blocks)
    lowered = {speaker.lower(): voice for speaker, voice in overrides.items()}
    chosen = {speaker: lowered.get(speaker.lower(), speaker) for speaker in speakers}
    specs = voice_specs_for(workspace_id, list(dict.fromkeys(chosen.values())))
    return {speaker: specs[voice] for speaker, voice in chosen.items()}


def job_ended(job: RenderJob) -> None:
    """A render ended: its row (if it is a series') moves on, and the slot it freed goes to the next waiting row
    of the workspace's series."""
    row = SeriesRow.objects.filter(job=job).select_related("series__campaign").first()
    if row is not None:
        if job.status == RenderJob.Status.SUCCEEDED:
            actions.row_rendered(row, job)
        elif job.status == RenderJob.Status.FAILED:
            actions.row_render_ended(row, job, f"The render failed: {job.error}")
        else:
            actions.row_render_ended(row, job, "The render was cancelled.")
    waiting = Series.objects.filter(workspace_id=job.workspace_id, rows__status=Status.WAITING).distinct()
    for series in waiting.order_by("created_at", "pk"):
        advance(series)


def render_again(row: SeriesRow) -> SeriesRow:
    """Send a row on again (its outline written, its script changed after a review, a failure dealt with).
    A topic-only row whose AI draft failed goes back to the writer, or, with no writing model any more, gets the
    offline outline to write."""
    if row.script_id is None and row.topic and row.status == Status.FAILED:
        if not ai_writer.providers_on_offer():
            return _outline_instead(row)
        if actions.row_redrafting(row):
            transaction.on_commit(lambda: lanes.enqueue(DRAFT_ROW_TASK, row.pk, lane=lanes.FAST))
            return row
    if not actions.row_waiting(row):
        raise Refused(f"Row {row.number} is {row.get_status_display().lower()}; it cannot be sent on now.")
    advance(row.series)
    row.refresh_from_db()
    return row


def _outline_instead(row: SeriesRow) -> SeriesRow:
    """The offline outline for a topic-only row, as an upload without a writing model gets: the row waits for the
    creator to write its [[parts]]."""
    try:
        draft = writer.draft_script(row.topic, language=row.language or "en")
    except writer.DraftRefused as refused:
        raise Refused(f"Row {row.number}: topic: {refused}") from None
    with transaction.atomic():
        if not actions.row_outlined(row, _row_script(row, draft.title, draft.body)):
            raise Refused(f"Row {row.number} is {row.get_status_display().lower()}; it cannot be sent on now.")
    return row


REVIEWED = (Status.REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED)  # a finished video a review may change


def regenerate_block(row: SeriesRow, index: int, user: Any = None) -> RenderJob:
    """A reviewed video with one block said afresh (renders' regenerate: the other blocks come from the speech
    cache); the row renders again and comes back to review. Raises Refused, or QuotaExceeded."""
    if row.status not in REVIEWED or row.job is None:
        raise Refused(f"Row {row.number} has no finished video to change.")
    try:
        job = renders.regenerate_block(row.job, index, user)
    except renders.Refused as refused:
        raise Refused(str(refused)) from None
    actions.row_started(row, job)
    return job


def scenes_of(row: SeriesRow) -> list[storyboards.SceneRow]:
    """The scenes of a row's video with the words said in each (none when it has no storyboard)."""
    board = storyboards.storyboard_of(row.job) if row.job is not None else None
    return storyboards.scene_rows(row.job, board) if board is not None else []


def regenerate_scene(row: SeriesRow, number: int, user: Any = None) -> RenderJob:
    """A reviewed video with scene `number` given a different visual (`storyboards.next_visual`), rendered again
    from its storyboard with the same narration (a storyboard's video: no narration paid again); the row renders
    and comes back to review. Raises Refused, or QuotaExceeded; nothing changes then."""
    if row.status not in REVIEWED or row.job is None or row.job.status != RenderJob.Status.SUCCEEDED:
        raise Refused(f"Row {row.number} has no finished video to change.")
    try:
        with transaction.atomic():  # the new visual stays only with the video that shows it
            storyboards.next_visual(row.job, number)
            job = storyboards.render_video(row.job, user)
            if not actions.row_started(row, job):  # reviewed (or changed) meanwhile
                raise Refused(f"Row {row.number} changed meanwhile; reload the page.")
    except StoryboardError as error:
        raise Refused(f"Row {row.number}, {error}") from None
    return job


def approve(row: SeriesRow, user: Any, note: str = "") -> None:
    """Approve the row's video for publishing (audited: who let what go out)."""
    with transaction.atomic():
        if not actions.approve(row, user, note):
            raise Refused(f"Row {row.number} is {row.get_status_display().lower()}: there is nothing to approve.")
        audit.record(row.series.workspace_id, user, "video.approved", f"Approved “{row.label}” for publishing")


def request_changes(row: SeriesRow, user: Any, note: str) -> None:
    note = note.replace("\x00", "").strip()
    if not note:
        raise Refused("Say what to change: the note goes to the creator.")
    with transaction.atomic():
        if not actions.request_changes(row, user, note):
            raise Refused(f"Row {row.number} is {row.get_status_display().lower()}: there is no video to review.")
        audit.record(row.series.workspace_id, user, "video.changes_requested", f"Asked for changes to “{row.label}”")
