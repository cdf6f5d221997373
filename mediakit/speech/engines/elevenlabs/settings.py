"""ElevenLabs' settings as plain data: the voice id and the voice settings the SDK takes, with their checks."""

from typing import Any

from mediakit.speech.engines.base import SettingField, limits

VOICE = SettingField(
    "voice_id",
    "ElevenLabs voice id",
    help="Leave blank and upload a sample to clone a new ElevenLabs voice.",
    kind="text",
)
# Blank: the voice's settings stored at ElevenLabs apply.
SETTINGS = (
    SettingField("stability", "Stability", minimum=0.0, maximum=1.0),
    SettingField("similarity", "Similarity to the original voice", minimum=0.0, maximum=1.0),
    SettingField("style", "Style", minimum=0.0, maximum=1.0),
)
LIMITS = limits(SETTINGS)
SDK_NAMES = {"similarity": "similarity_boost"}  # our name -> VoiceSettings' name, where they differ


def resolve_settings(options: dict[str, Any]) -> dict[str, float]:
    """Our setting names to the SDK's VoiceSettings; missing ones keep the voice's stored settings."""
    return {
        SDK_NAMES.get(field.name, field.name): field.check(options[field.name])
        for field in SETTINGS
        if options.get(field.name) is not None
    }
