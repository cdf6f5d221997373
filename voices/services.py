"""Which voice says which speaker's lines."""

from typing import Any

from voices.engines.piper import PRESETS
from voices.models import Voice


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
                "settings": voice.settings,
            }
        else:
            specs[speaker] = default_voice_spec(unmatched)
            unmatched += 1
    return specs
