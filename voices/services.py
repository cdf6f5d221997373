"""Which voice says which speaker's lines, and the voice library's changes (save, preview, delete)."""

import io
import wave
from typing import Any

import numpy as np
from django.core.files import File

from billing.services import check_voice_allowance
from renders.models import RenderJob
from renders.pipeline.normalize import normalize
from voices.engines import EngineError, elevenlabs, get_engine, piper
from voices.engines.piper import PRESETS
from voices.models import Voice

PREVIEW_MAX_CHARS = 200
# Each engine's setting names and ranges.
SETTING_LIMITS = {"piper": piper.LIMITS, "elevenlabs": elevenlabs.LIMITS}


class VoiceInUse(Exception):
    """A queued or running render job still needs this voice."""


class VendorVoiceRefused(EngineError):
    """The vendor voice id is neither a stock voice nor a clone this workspace made."""


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
                "settings": known_settings(voice.engine, voice.settings),
                "voice_pk": voice.pk,  # lets the library refuse to delete a voice a job still needs
            }
        else:
            specs[speaker] = default_voice_spec(unmatched)
            unmatched += 1
    return specs


def known_settings(engine: str, settings: dict[str, Any]) -> dict[str, Any]:
    """A stored voice's settings without the names its engine does not know: voices saved before settings
    were checked may hold some, and the engine would ignore them anyway."""
    limits = SETTING_LIMITS.get(engine)
    return settings if limits is None else {name: value for name, value in settings.items() if name in limits}


def check_settings(engine: str, voice_id: str, settings: Any) -> None:
    """Raises EngineError naming the first problem: not an object, a name the engine does not know, a bad value.

    A name the engine would ignore is refused, so nobody believes a setting applies when it does not.
    """
    if not isinstance(settings, dict):
        raise EngineError("settings must be a JSON object")
    if engine not in SETTING_LIMITS:
        return  # an engine this server does not have: get_engine refuses it when it is used
    limits = SETTING_LIMITS[engine]
    if unknown := sorted(set(settings) - set(limits)):
        raise EngineError(f"{engine} has no setting {unknown[0]!r}; use {', '.join(limits)}")
    if engine == "piper":
        piper.resolve_settings(voice_id, settings)
    elif engine == "elevenlabs":
        elevenlabs.resolve_settings(settings)


def save_voice(voice: Voice, *, new_sample: File | None) -> Voice:
    """Store the voice; an ElevenLabs voice without a voice id is first cloned from its new sample.

    A new voice must fit the plan's voice library (billing.services.QuotaExceeded otherwise). An ElevenLabs
    voice id must be a stock voice or a clone this workspace made (VendorVoiceRefused otherwise): the ids of
    other tenants' clones must not be usable here, even if one leaks.
    """
    if voice.pk is None:
        check_voice_allowance(voice.workspace)
    if voice.engine == "elevenlabs" and not voice.engine_voice_id:
        if new_sample is None:
            raise EngineError("enter an ElevenLabs voice id, or upload a sample to clone a new voice")
        voice.engine_voice_id = get_engine("elevenlabs").clone_voice(voice.name, new_sample, new_sample.name)
        voice.vendor_clone_id = voice.engine_voice_id
        new_sample.seek(0)  # the same file is stored next
    elif voice.engine == "elevenlabs" and not _may_use_vendor_voice(voice):
        raise VendorVoiceRefused(
            f"ElevenLabs voice {voice.engine_voice_id!r} is not one of ElevenLabs' stock voices or a clone made in "
            "this workspace; enter a stock voice's id, or upload a sample to clone your own"
        )
    voice.save()
    return voice


def _may_use_vendor_voice(voice: Voice) -> bool:
    ours = Voice.objects.filter(workspace_id=voice.workspace_id, vendor_clone_id=voice.engine_voice_id)
    return ours.exists() or get_engine("elevenlabs").is_stock_voice(voice.engine_voice_id)


def preview_wav(voice: Voice, text: str = "") -> bytes:
    """A short WAV of the voice saying `text` (or its own introduction) as a render would say it: normalised
    ("No. 1" is "number one"). Raises EngineError."""
    text = text.strip()[:PREVIEW_MAX_CHARS] or f"Hi, I'm {voice.name}. This is how I sound."
    spoken = normalize(text, voice.language).spoken_text
    speech = get_engine(voice.engine).synthesize(spoken, voice.engine_voice_id, voice.settings)
    return wav_bytes(speech.samples, speech.sample_rate)


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes((np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


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
    if voice.vendor_clone_id:
        _release_clone(voice)
    if voice.sample:
        voice.sample.delete(save=False)
    voice.delete()


def _release_clone(voice: Voice) -> None:
    """Delete the voice's clone at the vendor, unless another voice of the workspace speaks with it: that one
    then owns it. Raises EngineError (the voice stays) when the vendor cannot delete it now."""
    heir = (
        Voice.objects.filter(workspace_id=voice.workspace_id, engine_voice_id=voice.vendor_clone_id, vendor_clone_id="")
        .exclude(pk=voice.pk)
        .first()
    )
    if heir is not None:
        heir.vendor_clone_id = voice.vendor_clone_id
        heir.save(update_fields=["vendor_clone_id"])
    else:
        get_engine("elevenlabs").delete_voice(voice.vendor_clone_id)
