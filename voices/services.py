"""Which voice says which speaker's lines, and the voice library's changes (save, preview, delete)."""

from typing import Any

from django.core.files import File

from billing.services import check_voice_allowance
from mediakit.audio import wav_bytes
from mediakit.speech.engines import EngineError, get_engine, known_settings
from mediakit.speech.engines.piper.settings import PRESETS
from mediakit.text.normalize import normalize
from renders.models import RenderJob
from voices.engine_context import engine_context
from voices.models import Voice

PREVIEW_MAX_CHARS = 200


class VoiceInUse(Exception):
    """A queued or running render job still needs this voice."""


def default_voice_spec(position: int) -> dict[str, Any]:
    """Speakers without a library voice get Piper presets in order, so each sounds different."""
    presets = list(PRESETS)
    return {"engine": "piper", "voice_id": presets[position % len(presets)], "settings": {}}


def voice_specs_for(workspace_id: int | None, speakers: list[str]) -> dict[str, dict[str, Any]]:
    """A speaker named like a voice in the workspace's library (any case) uses it."""
    library = (
        {voice.name.lower(): voice for voice in Voice.objects.filter(workspace_id=workspace_id)} if workspace_id else {}
    )
    specs: dict[str, dict[str, Any]] = {}
    unmatched = 0
    for speaker in speakers:
        voice = library.get(speaker.lower())
        if voice:
            specs[speaker] = {
                "engine": voice.engine,
                "voice_id": voice.engine_voice_id,
                "settings": known_settings(voice.engine, voice.settings, engine_context()),
                "voice_pk": voice.pk,  # lets the library refuse to delete a voice a job still needs
            }
        else:
            specs[speaker] = default_voice_spec(unmatched)
            unmatched += 1
    return specs


def save_voice(voice: Voice, *, new_sample: File | None) -> Voice:
    """Store the voice; an ElevenLabs voice without a voice id is first cloned from its new sample.

    A new voice must fit the plan's voice library (billing.services.QuotaExceeded otherwise).
    """
    if voice.pk is None:
        check_voice_allowance(voice.workspace)
    if voice.engine == "elevenlabs" and not voice.engine_voice_id:
        if new_sample is None:
            raise EngineError("enter an ElevenLabs voice id, or upload a sample to clone a new voice")
        voice.engine_voice_id = get_engine("elevenlabs", engine_context()).clone_voice(
            voice.name, new_sample, new_sample.name
        )
        new_sample.seek(0)  # the same file is stored next
    voice.save()
    return voice


def preview_wav(voice: Voice, text: str = "") -> bytes:
    """A short WAV of the voice saying `text` (or its own introduction) as a render would say it: normalised
    ("No. 1" is "number one"). Raises EngineError."""
    text = text.strip()[:PREVIEW_MAX_CHARS] or f"Hi, I'm {voice.name}. This is how I sound."
    spoken = normalize(text, voice.language).spoken_text
    speech = get_engine(voice.engine, engine_context()).synthesize(spoken, voice.engine_voice_id, voice.settings)
    return wav_bytes(speech.samples, speech.sample_rate)


def jobs_using(voice: Voice) -> list[RenderJob]:
    """Queued or running jobs of the voice's workspace whose frozen voice specs name this voice."""
    active = RenderJob.objects.filter(
        workspace_id=voice.workspace_id, status__in=[RenderJob.Status.QUEUED, RenderJob.Status.RUNNING]
    )
    return [
        job
        for job in active
        if any(spec.get("voice_pk") == voice.pk for spec in job.options.get("voices", {}).values())
    ]


def delete_voice(voice: Voice) -> None:
    if jobs := jobs_using(voice):
        titles = ", ".join(f"“{job.title}”" for job in jobs[:3])
        raise VoiceInUse(f"{voice.name} is still needed by a render in progress ({titles}); try again when it ends.")
    if voice.sample:
        voice.sample.delete(save=False)
    voice.delete()
