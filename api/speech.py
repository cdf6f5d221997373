"""Synchronous speech for the drop-in endpoints: one block through the narration stage, then ffmpeg to the format.

Each call is recorded as a finished audio job, so usage goes through the same metering path as renders.
"""

import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from accounts.models import Workspace
from api.errors import ApiError
from mediakit.errors import StageError
from mediakit.ffmpeg import ffmpeg_output
from mediakit.pipeline import RenderContext
from mediakit.pipeline.stages import narrate
from mediakit.speech.engines import EngineError, check_settings
from mediakit.speech.words import TimedWord
from mediakit.text.script import Block
from renders import actions
from renders.models import RenderJob
from renders.options import RenderOptions
from renders.quota import settle_job
from renders.services import create_job, narration_settings
from voices.engine_context import engine_context
from voices.models import Voice
from voices.services import engine, named_voices, voice_specs_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Encoding:
    """How ffmpeg writes one output format."""

    content_type: str
    args: tuple[str, ...]
    sample_rate: int | None = None


# OpenAI's response_format names.
OPENAI_FORMATS = {
    "mp3": Encoding("audio/mpeg", ("-f", "mp3", "-c:a", "libmp3lame", "-b:a", "128k")),
    "opus": Encoding("audio/ogg", ("-f", "ogg", "-c:a", "libopus", "-b:a", "64k"), 48000),
    "aac": Encoding("audio/aac", ("-f", "adts", "-c:a", "aac", "-b:a", "128k")),
    "flac": Encoding("audio/flac", ("-f", "flac", "-c:a", "flac")),
    "wav": Encoding("audio/wav", ("-f", "wav", "-c:a", "pcm_s16le")),
    "pcm": Encoding("audio/pcm", ("-f", "s16le", "-c:a", "pcm_s16le"), 24000),  # OpenAI: raw 24 kHz 16-bit
}
_ELEVEN = re.compile(r"^(?P<codec>mp3|pcm|opus|ulaw|alaw|wav)_(?P<rate>\d{4,5})(?:_(?P<bitrate>\d{2,3}))?$")


def elevenlabs_encoding(output_format: str) -> Encoding:
    """ElevenLabs' `output_format` (mp3_44100_128, pcm_22050, opus_48000_64, ulaw_8000…) as an Encoding."""
    match = _ELEVEN.match(output_format)
    if not match:
        raise ApiError(
            400, "invalid", f"Unsupported output_format {output_format!r}.", {"output_format": [output_format]}
        )
    codec, rate, bitrate = match["codec"], int(match["rate"]), match["bitrate"] or "128"
    if not 8000 <= rate <= 48000:
        raise ApiError(400, "invalid", f"Unsupported sample rate {rate}.", {"output_format": [output_format]})
    args = {
        "mp3": ("-f", "mp3", "-c:a", "libmp3lame", "-b:a", f"{bitrate}k"),
        "opus": ("-f", "ogg", "-c:a", "libopus", "-b:a", f"{bitrate}k"),
        "pcm": ("-f", "s16le", "-c:a", "pcm_s16le"),
        "wav": ("-f", "wav", "-c:a", "pcm_s16le"),
        "ulaw": ("-f", "mulaw", "-c:a", "pcm_mulaw"),
        "alaw": ("-f", "alaw", "-c:a", "pcm_alaw"),
    }[codec]
    types = {"mp3": "audio/mpeg", "opus": "audio/ogg", "wav": "audio/wav"}
    return Encoding(types.get(codec, "application/octet-stream"), args, rate)


@dataclass
class SpeechResult:
    audio: bytes
    content_type: str
    duration: float
    words: list[TimedWord]


# ElevenLabs' API calls one setting by another name than ours; the others keep theirs. A request's
# voice_settings apply to the settings the voice's engine has (ElevenLabs voices; Piper has none of them).
ELEVENLABS_NAMES = {"similarity_boost": "similarity"}
VOICE_SETTINGS = ("stability", "similarity_boost", "style")  # what the drop-in endpoint takes from voice_settings


def find_voice(workspace: Workspace, voice: str) -> dict[str, Any]:
    """The spec of a library voice (by id or name, any case) or of a voice an engine offers by name (a Piper
    preset); unknown voices are a 404."""
    found = Voice.objects.filter(workspace=workspace, pk=int(voice)).first() if voice.isdigit() else None
    found = found or Voice.objects.filter(workspace=workspace, name__iexact=voice).first()
    if found:
        return voice_specs_for(workspace.pk, [found.name])[found.name]
    offered = named_voices()
    if voice in offered:
        return {"engine": offered[voice].name, "voice_id": voice, "settings": {}}
    raise ApiError(
        404, "voice_not_found", f"No voice {voice!r}: use a speaker's name or id, or one of {', '.join(offered)}."
    )


def voice_spec(
    workspace: Workspace, voice: str, *, speed: float = 1.0, voice_settings: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`find_voice` with the request's settings on top.

    `speed` scales the voice's own rate (within the engine's range). Settings the engine refuses are a 400,
    before any job exists: the request's are named as such, a saved voice's ask for the voice to be edited.
    """
    spec = find_voice(workspace, voice)
    try:
        speaker = engine(spec["engine"])
    except EngineError:  # a saved voice of an engine this server does not have: its job fails (502)
        speaker = None
    fields = {field.name: field for field in speaker.settings} if speaker else {}
    supplied = voice_settings or {}
    given = {
        ELEVENLABS_NAMES.get(theirs, theirs): supplied[theirs]
        for theirs in VOICE_SETTINGS
        if theirs in supplied and ELEVENLABS_NAMES.get(theirs, theirs) in fields
    }
    settings = {**spec["settings"], **given}
    try:
        check_settings(spec["engine"], spec["voice_id"], given, engine_context())
    except EngineError as error:
        raise _invalid_settings(f"voice_settings: {error}") from None
    try:
        check_settings(spec["engine"], spec["voice_id"], settings, engine_context())
    except EngineError as error:
        message = f"the voice {voice!r} has a saved setting that no longer works ({error}); edit the voice."
        raise _invalid_settings(message) from None
    if speaker and speed != 1.0 and "speed" in fields:
        low, high = fields["speed"].minimum, fields["speed"].maximum
        base = float(speaker.effective_settings(spec["voice_id"], settings).get("speed", 1.0))
        settings["speed"] = min(max(base * speed, low), high)
    return {**spec, "settings": settings}


def _invalid_settings(message: str) -> ApiError:
    return ApiError(400, "invalid", message, {"voice_settings": [message]})


def synthesize(
    workspace: Workspace, text: str, spec: dict[str, Any], encoding: Encoding, *, title: str
) -> SpeechResult:
    text = text.strip()
    if not text:
        raise ApiError(400, "invalid", "input: the text is empty.", {"input": ["The text is empty."]})
    blocks = [Block("voice", text)]
    # A running audio job with its quota held, like a render's (QuotaExceeded when the plan cannot take it).
    job = create_job(
        workspace=workspace,
        blocks=blocks,
        title=title,
        kind=RenderJob.Kind.AUDIO,
        options=RenderOptions(voices={"voice": spec}, source="compat"),
        run_here=True,
    )
    # Whatever goes wrong, the job ends failed (releasing its reservation) and the caller gets a JSON error.
    try:
        with tempfile.TemporaryDirectory(prefix="omnivibe-speech-") as workdir:
            ctx = RenderContext(
                blocks=blocks, voices={"voice": spec}, workdir=Path(workdir), video=False, **narration_settings()
            )
            narrate.run(ctx)
            audio = encode(ctx.outputs["wav"], encoding)
        with transaction.atomic():
            if not actions.finish_job(job, {**ctx.report, "duration": round(ctx.duration, 3)}):
                raise ApiError(409, "cancelled", "The speech job was cancelled before the audio was ready.")
            settle_job(job, ctx.duration)
    except ApiError as error:
        actions.fail_job(job, str(error.detail))
        raise
    except (StageError, EngineError) as error:
        actions.fail_job(job, str(error))
        raise ApiError(502, "synthesis_failed", f"The speech could not be synthesised: {error}") from None
    except Exception:
        logger.exception("speech job %s crashed", job.public_id)
        actions.fail_job(job, "an internal error stopped the speech; it has been logged.")
        raise ApiError(500, "server_error", "An internal error stopped the speech; it has been logged.") from None
    return SpeechResult(audio, encoding.content_type, ctx.duration, ctx.words)


def encode(wav: Path, encoding: Encoding) -> bytes:
    rate = ("-ar", str(encoding.sample_rate)) if encoding.sample_rate else ()
    try:
        return ffmpeg_output(["-i", str(wav), *rate, *encoding.args, "-"], timeout=120)
    except StageError:
        raise ApiError(500, "encoding_failed", "The audio could not be encoded.") from None


def character_alignment(text: str, words: list[TimedWord], duration: float) -> dict[str, list]:
    """ElevenLabs' alignment: every character of `text` with a start and end time.

    Each word's span is shared among its characters; the spaces between words take the gap between them.
    """
    starts: list[float] = []
    ends: list[float] = []
    position, clock = 0, 0.0
    for word in words:
        found = text.find(word.text, position)
        if found < 0:
            continue
        for _ in range(position, found):  # whitespace before the word: from the last end to this start
            starts.append(round(clock, 3))
            ends.append(round(max(word.start, clock), 3))
        span = (word.end - word.start) / max(len(word.text), 1)
        for index in range(len(word.text)):
            starts.append(round(word.start + span * index, 3))
            ends.append(round(word.start + span * (index + 1), 3))
        position, clock = found + len(word.text), word.end
    for _ in range(position, len(text)):
        starts.append(round(clock, 3))
        ends.append(round(duration, 3))
    return {
        "characters": list(text),
        "character_start_times_seconds": starts,
        "character_end_times_seconds": ends,
    }
