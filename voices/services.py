"""Which voice says which speaker's lines, and the voice library's changes (save, preview, delete).

Engines are reached through mediakit's registry and described by their own schema (`voice`, `settings`):
nothing here names an engine.
"""

from typing import Any

from django.core.files import File
from django.db import transaction

import lanes
from accounts import audit
from billing.limits import check_voice_allowance
from mediakit.audio import wav_bytes
from mediakit.speech.engines import ENGINES, Engine, EngineError, available_engines, get_engine, known_settings
from mediakit.text.lexicon import Lexicon
from mediakit.text.normalize import language_name, normalize
from voices.engine_context import engine_context
from voices.models import Voice
from voices.signals import voice_needed_by

PREVIEW_MAX_CHARS = 200


class VoiceInUse(Exception):
    """A queued or running render job still needs this voice."""


def engine(name: str) -> Engine:
    """The engine called `name`, configured for this deployment; EngineError for one it does not have."""
    return get_engine(name, engine_context())


def offered_engines() -> list[Engine]:
    """The engines a creator may pick now, in registry order (hosted ones only once configured)."""
    return [engine(name) for name in available_engines(engine_context())]


def default_engine() -> Engine:
    """The first engine of the registry (the built-in one): it speaks for speakers without a library voice."""
    return engine(next(iter(ENGINES)))


def named_voices() -> dict[str, Engine]:
    """Voices an engine offers by name (its voice is a choice, like Piper's presets) -> that engine."""
    return {choice: offered for offered in offered_engines() for choice in offered.voice.choices}


class VendorVoiceRefused(EngineError):
    """The vendor voice id is neither a stock voice nor a clone this workspace made."""


def default_voice_spec(position: int) -> dict[str, Any]:
    """Speakers without a library voice get the default engine's voices in turn, so each sounds different."""
    fallback = default_engine()
    choices = fallback.voice.choices
    return {"engine": fallback.name, "voice_id": choices[position % len(choices)], "settings": {}}


def builtin_voice(choice: str) -> Voice:
    """One of the default engine's voices (as speakers without a library voice get) as an unsaved Voice, to
    preview; a choice it does not offer is its first."""
    fallback = default_engine()
    choice = choice if choice in fallback.voice.choices else fallback.voice.choices[0]
    return Voice(name=choice, engine=fallback.name, engine_voice_id=choice)


LIBRARY_CHOICE, BUILTIN_CHOICE = "voice:", "builtin:"  # a speaker's chosen voice, as a script stores it


def voice_options(workspace_id: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """The voices a script's speaker may be given, grouped for a picker: the workspace's library, then the
    default engine's built-in voices. Values are what `Script.voices` stores."""
    library = [(f"{LIBRARY_CHOICE}{voice.pk}", voice.name) for voice in Voice.objects.filter(workspace_id=workspace_id)]
    builtin = [(f"{BUILTIN_CHOICE}{choice}", f"{choice} (built-in)") for choice in default_engine().voice.choices]
    return [("Your voices", library), ("Built-in", builtin)] if library else [("Built-in", builtin)]


def chosen_voice(workspace_id: int, choice: str) -> Voice | None:
    """The voice a stored choice names (a built-in one as an unsaved Voice), or None for one that is gone."""
    if choice.startswith(BUILTIN_CHOICE):
        name = choice.removeprefix(BUILTIN_CHOICE)
        return builtin_voice(name) if name in default_engine().voice.choices else None
    pk = choice.removeprefix(LIBRARY_CHOICE)
    if not choice.startswith(LIBRARY_CHOICE) or not pk.isascii() or not pk.isdigit() or len(pk) > 18:
        return None
    return Voice.objects.filter(workspace_id=workspace_id, pk=int(pk)).first()


def _spec(voice: Voice) -> dict[str, Any]:
    if voice.pk is None:  # built-in
        return {"engine": voice.engine, "voice_id": voice.engine_voice_id, "settings": {}}
    return {
        "engine": voice.engine,
        "voice_id": voice.engine_voice_id,
        "settings": known_settings(voice.engine, voice.settings, engine_context()),
        "voice_pk": voice.pk,  # lets the library refuse to delete a voice a job still needs
    }


def voice_specs_for(
    workspace_id: int | None, speakers: list[str], chosen: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """Each speaker's voice: the one chosen for them on the script (`chosen`, Script.voices), else a voice of
    the workspace's library named like them (any case), else the default engine's voices in turn."""
    library = (
        {voice.name.lower(): voice for voice in Voice.objects.filter(workspace_id=workspace_id)} if workspace_id else {}
    )
    picked = {
        speaker: voice
        for speaker, choice in (chosen or {}).items()
        if workspace_id and isinstance(choice, str) and (voice := chosen_voice(workspace_id, choice)) is not None
    }
    specs: dict[str, dict[str, Any]] = {}
    unmatched = 0
    for speaker in speakers:
        if speaker in picked:
            specs[speaker] = _spec(picked[speaker])
            continue
        voice = library.get(speaker.lower())
        if voice:
            specs[speaker] = _spec(voice)
        else:
            specs[speaker] = default_voice_spec(unmatched)
            unmatched += 1
    return specs


def speaker_voice(workspace_id: int, speakers: list[str], chosen: dict[str, str], speaker: str) -> Voice:
    """The voice a render would give `speaker` of a script with these speakers and picks, as an unsaved Voice
    to preview."""
    spec = voice_specs_for(workspace_id, speakers, chosen)[speaker]
    return Voice(name=speaker, engine=spec["engine"], engine_voice_id=spec["voice_id"], settings=spec["settings"])


def save_voice(voice: Voice, *, new_sample: File | None) -> Voice:
    """Store the voice; a voice of an engine that clones (ElevenLabs) without a voice id is first cloned from
    its new sample.

    A new voice must fit the plan's voice library (billing's QuotaExceeded otherwise). A voice of an engine that
    clones must be one of the vendor's stock voices or a clone this workspace made (VendorVoiceRefused
    otherwise): the ids of other tenants' clones must not be usable here, even if one leaks.
    """
    if voice.pk is None:
        check_voice_allowance(voice.workspace, Voice.objects.filter(workspace=voice.workspace).count())
    speaker = engine(voice.engine)
    check_speaks(speaker, voice.language)
    if speaker.clones_from_sample and not voice.engine_voice_id:
        if new_sample is None:
            raise EngineError(f"enter the {speaker.voice.label}, or upload a sample to clone a new voice")
        voice.engine_voice_id = speaker.clone_voice(voice.name, new_sample, new_sample.name)
        voice.vendor_clone_id = voice.engine_voice_id
        new_sample.seek(0)  # the same file is stored next
    elif speaker.clones_from_sample and not _may_use_vendor_voice(voice, speaker):
        vendor = speaker.label + ("'" if speaker.label.endswith("s") else "'s")
        raise VendorVoiceRefused(
            f"{speaker.label} voice {voice.engine_voice_id!r} is not one of {vendor} stock voices or a clone "
            "made in this workspace; enter a stock voice's id, or upload a sample to clone your own"
        )
    voice.save()
    return voice


def _may_use_vendor_voice(voice: Voice, speaker: Engine) -> bool:
    ours = Voice.objects.filter(workspace_id=voice.workspace_id, vendor_clone_id=voice.engine_voice_id)
    return ours.exists() or speaker.is_stock_voice(voice.engine_voice_id)


def check_speaks(speaker: Engine, language: str) -> None:
    """EngineError when the engine, as configured here, cannot say `language`: a Korean voice that reads
    Korean as English letters would only be found out in a render. An engine not configured here says so itself."""
    if speaker.available and not speaker.speaks(language):
        raise EngineError(
            f"{speaker.label} cannot speak {language_name(language)} here: choose English for it, or an engine "
            "that speaks the language (ElevenLabs' multilingual voices, once its key is set)"
        )


def preview_wav(
    voice: Voice,
    text: str = "",
    lexicon: Lexicon | None = None,
    dictionaries: tuple[tuple[str, str], ...] = (),
    language: str = "",
) -> bytes:
    """A short WAV of the voice saying `text` (or its own introduction) as a render would say it: normalised
    ("No. 1" is "number one") in `language` (a script's; else the voice's own), with `lexicon`'s
    pronunciations (phonemes, for an engine that cannot read them in the text, through its vendor's
    `dictionaries`). Raises EngineError."""
    language = language or voice.language
    text = text.strip()[:PREVIEW_MAX_CHARS] or f"Hi, I'm {voice.name}. This is how I sound."
    speaker = engine(voice.engine)
    check_speaks(speaker, language)
    if lexicon and not speaker.inline_phonemes:
        if lexicon.respellings() != lexicon and not dictionaries:
            raise EngineError(
                f"{speaker.label} cannot say phonemes with its configured model; hear them with a built-in voice"
            )
        lexicon = lexicon.respellings()
    spoken = normalize(text, language, lexicon=lexicon).spoken_text
    speech = speaker.synthesize(spoken, voice.engine_voice_id, voice.settings, language, dictionaries)
    return wav_bytes(speech.samples, speech.sample_rate)


def delete_voice(voice: Voice, *, by) -> None:
    """Delete the voice and its sample, unless work in progress still needs it (VoiceInUse). Audited."""
    needed_by = [title for _, titles in voice_needed_by.send(sender=Voice, voice=voice) for title in titles]
    if needed_by:
        titles = ", ".join(f"“{title}”" for title in needed_by[:3])
        raise VoiceInUse(f"{voice.name} is still needed by a render in progress ({titles}); try again when it ends.")
    if voice.vendor_clone_id:
        _release_clone(voice)
    if voice.sample:
        voice.sample.delete(save=False)
    audit.record(voice.workspace_id, by, "voice.deleted", f"Deleted the voice “{voice.name}”")
    voice.delete()


def release_clones_of_deleted_workspace(workspace_id: int) -> None:
    """A workspace is being deleted with its voices: once that is committed, its clones are deleted at their
    vendors by the worker (a vendor that is down then cannot stop the deletion; the task's failure is kept)."""
    voices = Voice.objects.filter(workspace_id=workspace_id).exclude(vendor_clone_id="")
    clones = set(voices.values_list("engine", "vendor_clone_id"))
    for engine_name, clone_id in clones:
        transaction.on_commit(
            lambda engine_name=engine_name, clone_id=clone_id: lanes.enqueue_retrying(
                "voices.tasks.delete_vendor_clone",
                engine_name,
                clone_id,
                lane=lanes.FAST,
                task_name=f"delete-clone-{clone_id}",
            )
        )


def delete_vendor_clone(engine_name: str, clone_id: str) -> None:
    try:
        engine(engine_name).delete_voice(clone_id)
    except EngineError as error:  # the vendor down or refusing for now: tried again later, with backoff
        raise lanes.Retryable(str(error)) from error


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
        engine(voice.engine).delete_voice(voice.vendor_clone_id)
