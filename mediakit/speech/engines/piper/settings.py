"""Piper's settings as plain data (presets, fields and their limits), their checks and its retry variations."""

from typing import Any

from mediakit.speech.engines.base import EngineError, SettingField, limits

# Presets a creator picks by name; distinct enough that a two-speaker script sounds like two people.
PRESETS: dict[str, dict[str, float]] = {
    "joe": {"speed": 1.0, "pitch": 1.0, "variation": 0.667},
    "joe-deep": {"speed": 0.95, "pitch": 0.86, "variation": 0.6},
    "joe-bright": {"speed": 1.06, "pitch": 1.14, "variation": 0.75},
    "joe-calm": {"speed": 0.88, "pitch": 0.94, "variation": 0.5},
}
DEFAULT_PRESET = "joe"
VOICE = SettingField("voice_id", "Piper voice", kind="choice", choices=tuple(PRESETS), default=DEFAULT_PRESET)
SETTINGS = (
    SettingField("speed", "Speaking rate", minimum=0.5, maximum=2.0),
    SettingField("pitch", "Pitch", minimum=0.7, maximum=1.4),
    SettingField("variation", "Expressiveness", minimum=0.0, maximum=1.0),
)  # blank: the preset's own value
LIMITS = limits(SETTINGS)


def resolve_settings(voice_id: str, settings: dict[str, Any]) -> dict[str, float]:
    """The preset's values with the voice's own on top, each checked against its field."""
    if voice_id and voice_id not in PRESETS:
        raise EngineError(f"unknown Piper voice {voice_id!r}; choose one of {', '.join(PRESETS)}")
    merged = {**PRESETS[voice_id or DEFAULT_PRESET], **settings}
    return {field.name: field.check(merged[field.name]) for field in SETTINGS}


def retry_settings(voice_id: str, settings: dict[str, Any], attempt: int) -> dict[str, float]:
    """Settings for retry `attempt` (1, 2, ...) of a line heard wrong, each changing the sound: calmer
    variation, then a little slower too; a voice already that calm (never made livelier) changes its speed
    instead, and one at the slowest speed goes a little faster. From the preset and the voice's own settings,
    within LIMITS."""
    resolved = resolve_settings(voice_id, settings)
    calmer = min(resolved["variation"], 0.4 if attempt == 1 else 0.3)
    step = 0.92 if attempt >= 2 else 1.0 if calmer < resolved["variation"] else 0.96
    speed = resolved["speed"] * step
    if speed < LIMITS["speed"][0]:
        speed = resolved["speed"] / step  # already the slowest: a little faster
    return {**resolved, "variation": calmer, "speed": round(speed, 3)}
