"""What the API does, apart from HTTP: speakers, jobs from scripts, deleting jobs."""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import serializers

from accounts.models import Workspace
from api.errors import ApiError
from api.models import IdempotentRequest
from mediakit import untrusted
from mediakit.speech.engines import EngineError, check_settings
from mediakit.speech.samples import SampleError, validate_sample
from mediakit.text.outline import check_filled
from mediakit.text.script import Block, ScriptError, parse_json, parse_text, speakers_in_order
from publishing.models import Series
from publishing.services import SeriesRefused, create_series
from publishing.uploads import UploadRefused, read_file, read_json_rows
from renders.models import RenderJob
from renders.options import RenderOptions, options_for_script
from renders.services import create_job
from scripts.models import Script
from voices.engine_context import engine_context
from voices.models import Voice
from voices.services import VoiceInUse, check_speaks, delete_voice, engine, save_voice

MAX_SPEAKERS = 20  # distinct speakers in one script: each is a voice to load and a row of the report


def create_speaker(workspace: Workspace, data: dict[str, Any]) -> Voice:
    """Validate the engine settings and the sample (if any), then store the voice; errors name the field."""
    sample: UploadedFile | None = data.get("sample")
    voice_id, voice_settings = data["voice_id"], data["settings"]
    # The voice id alone first (a preset the engine does not have), then the settings with it.
    for field, checked in (("voice_id", {}), ("settings", voice_settings)):
        try:
            check_settings(data["engine"], voice_id, checked, engine_context())
        except EngineError as error:
            raise serializers.ValidationError({field: [str(error)]}) from None
    try:
        check_speaks(engine(data["engine"]), data["language"])
    except EngineError as error:
        raise serializers.ValidationError({"language": [str(error)]}) from None
    if sample is not None:
        try:
            validate_sample(sample, max_bytes=settings.VOICE_SAMPLE_MAX_BYTES)
        except SampleError as error:
            raise serializers.ValidationError({"sample": [str(error)]}) from None
        sample.name = untrusted.named_by_content(sample.name, sample)
    voice = Voice(
        workspace=workspace,
        name=data["name"],
        engine=data["engine"],
        engine_voice_id=voice_id,
        settings=voice_settings,
        language=data["language"],
        sample=sample,  # stored by save_voice's voice.save(), only once the plan and the engine accept the voice
    )
    try:
        return save_voice(voice, new_sample=sample)
    except EngineError as error:
        raise serializers.ValidationError({"voice_id": [str(error)]}) from None


def blocks_from(workspace: Workspace, data: dict[str, Any]) -> tuple[list[Block], Script | None]:
    """The blocks to render from `blocks`, `script` (text) or `script_id`; script errors name the block or line."""
    limit = settings.RENDER_MAX_SCRIPT_CHARS
    script = None
    try:
        if data.get("blocks"):
            field = "blocks"
            names = _speaker_names(workspace, {block["speaker"] for block in data["blocks"]})
            raw = [{**block, "speaker": names.get(block["speaker"], block["speaker"])} for block in data["blocks"]]
            blocks = parse_json({"blocks": raw}, max_chars=limit)
        elif data.get("script_id"):
            field = "script_id"
            script = Script.objects.filter(workspace=workspace, pk=data["script_id"]).first()
            if script is None:
                raise serializers.ValidationError({"script_id": ["No script with this id in your workspace."]})
            blocks = parse_text(script.body, max_chars=limit)
        else:
            field = "script"
            blocks = parse_text(data["script"], max_chars=limit)
        check_filled(blocks)
    except ScriptError as error:
        raise serializers.ValidationError(
            {field: [_describe(line, message) for line, message in error.errors]}
        ) from None
    speakers = speakers_in_order(blocks)
    if len(speakers) > MAX_SPEAKERS:
        message = f"the script has {len(speakers)} speakers; the limit is {MAX_SPEAKERS}"
        raise serializers.ValidationError({field: [message]})
    return blocks, script


def _describe(line: int, message: str) -> str:
    return f"line {line}: {message}" if line else message


def _speaker_names(workspace: Workspace, speakers: set[str]) -> dict[str, str]:
    """Blocks may name their speaker by voice id: those ids' voice names (what rendering matches on), in one query."""
    ids = [int(speaker) for speaker in speakers if speaker.isascii() and speaker.isdigit() and len(speaker) < 19]
    voices = Voice.objects.filter(workspace=workspace, pk__in=ids).values_list("pk", "name") if ids else []
    return {str(pk): name for pk, name in voices}


def job_request(workspace: Workspace, data: dict[str, Any], *, kind: str, user: Any = None) -> dict[str, Any]:
    """What `create_job` needs for this request, checked: a bad script is refused here, outside any
    transaction, so refusing a huge one never holds the database's write lock."""
    blocks, script = blocks_from(workspace, data)
    formats = sorted({*data["output_formats"], *data["caption_formats"]})
    language = script.language if script else data["language"]  # a saved script keeps its own
    options = RenderOptions(language=language)
    if kind == RenderJob.Kind.VIDEO:
        formats += ["mp4", "thumbnail", "storyboard"]
        campaign = script.campaign if script else None
        aspect = data.get("aspect") or (campaign.aspect if campaign else "9:16")
        # A saved script renders with its campaign's brand kit, as in the Studio.
        options = options_for_script(script, aspect=aspect) if script else RenderOptions(aspect=aspect)
        options = options.with_changes(
            language=language,
            height=data.get("height"),
            constant_frame_rate=data["constant_frame_rate"],
            ai_video=data.get("ai_video", options.ai_video),
            avatar_intro=data.get("avatar_intro", options.avatar_intro),
        )
        options = options.with_captions(
            preset=data.get("caption_preset"), platform=data.get("caption_platform"), burn=data.get("burn_captions")
        )
    options = options.with_changes(formats=tuple(formats), callback_url=data.get("callback_url", ""))
    title = data["title"] if data["title"] != "Untitled" or script is None else script.title
    return {
        "workspace": workspace, "blocks": blocks, "title": title, "kind": kind, "user": user, "script": script,
        "options": options,
    }  # fmt: skip


def submit_job(request: dict[str, Any]) -> RenderJob:
    """Queue a checked `job_request`; it reserves quota first (QuotaExceeded becomes HTTP 402 in api.errors)."""
    return create_job(**request)


IDEMPOTENCY_WINDOW = timedelta(hours=24)


def submit_once(
    workspace: Workspace, key: str, request: Any, submit: Callable[[], RenderJob]
) -> tuple[RenderJob, bool]:
    """`submit()` once per `Idempotency-Key` (kept 24 hours): the same request again gets the job the first one
    made, with True (replayed), and is neither queued nor charged again. No key: every call submits."""
    if not key:
        return submit(), False
    if len(key) > 255:
        message = "Idempotency-Key: use at most 255 characters (a UUID is plenty)."
        raise ApiError(400, "invalid", message, {"Idempotency-Key": [message]})
    fingerprint = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()
    # Expired keys go as new ones come, so the table holds about a day of each workspace's keys.
    IdempotentRequest.objects.filter(workspace=workspace, created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW).delete()
    earlier = IdempotentRequest.objects.filter(workspace=workspace, key=key).select_related("job").first()
    if earlier is None:
        try:
            with transaction.atomic():
                # The key is claimed first: a concurrent twin waits on it, then finds this job.
                claim = IdempotentRequest.objects.create(workspace=workspace, key=key, fingerprint=fingerprint)
                claim.job = submit()
                claim.save(update_fields=["job"])
                return claim.job, False
        except IntegrityError:
            earlier = IdempotentRequest.objects.select_related("job").get(workspace=workspace, key=key)
    if earlier.fingerprint != fingerprint or earlier.job is None:
        raise ApiError(
            409,
            "idempotency_key_reused",
            "This Idempotency-Key came with a different request in the last 24 hours; send a new key.",
        )
    return earlier.job, True


def delete_speaker_or_409(voice: Voice, *, by) -> None:
    try:
        delete_voice(voice, by=by)
    except VoiceInUse as error:
        raise ApiError(409, "speaker_in_use", str(error)) from None
    except EngineError as error:  # its clone could not be deleted at the vendor: the speaker stays
        raise ApiError(502, "engine_unavailable", str(error)) from None


def create_series_from(workspace: Workspace, data: dict[str, Any], user: Any) -> Series:
    """A series from the checked request: its rows read from JSON or the uploaded file. An upload that cannot be
    read, or whose every row is bad, is a 400 naming the rows; nothing is created then."""
    limits = {"max_rows": settings.SERIES_MAX_ROWS, "max_script_chars": settings.RENDER_MAX_SCRIPT_CHARS}
    try:
        if "file" in data:
            rows = read_file(data["file"], max_bytes=settings.SERIES_MAX_UPLOAD_BYTES, **limits)
        else:
            rows = read_json_rows(data["rows"], **limits)
        return create_series(workspace=workspace, campaign=data["campaign"], name=data["name"], rows=rows, user=user)
    except UploadRefused as refused:
        field = "file" if "file" in data else "rows"
        raise serializers.ValidationError({field: [str(refused)]}) from None
    except SeriesRefused as refused:
        problems = [f"row {row.number}: {row.error}" for row in refused.rows]
        raise serializers.ValidationError({"rows": problems}) from None
