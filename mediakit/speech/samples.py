"""Reference recordings for voice cloning: decode with PyAV and check them before anything is stored.

Pure functions, no Django: the form, the API and the engines share them.
"""

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from mediakit import untrusted
from mediakit.untrusted import FLAC, MP3, MP4, OGG, WAV

MB = 1024 * 1024  # sizes are shown in the same megabytes the limit is set in
MAX_BYTES = 20 * MB
MIN_SECONDS = 30.0
MAX_SECONDS = 300.0
SILENCE_DB = -50.0  # RMS below this (dBFS) is a silent or near-silent recording
CLIPPED_LEVEL = 0.99
CLIPPED_SHARE = 0.005  # more than 0.5 % of samples at full scale: the recording is distorted

# The containers a sample may come in, by the name SampleInfo gives them (m4a is read by the MP4 demuxer).
FORMATS = {WAV: "wav", MP3: "mp3", FLAC: "flac", OGG: "ogg", MP4: "m4a"}
TAKEN = "WAV, MP3, M4A, FLAC or OGG"

Source = str | os.PathLike | BinaryIO


class SampleError(ValueError):
    """The recording cannot be used; the message tells the creator what to fix."""


@dataclass(frozen=True)
class SampleInfo:
    duration: float
    sample_rate: int
    channels: int
    format: str
    rms_db: float
    peak: float


@dataclass(frozen=True)
class DecodedAudio:
    samples: np.ndarray  # mono float32
    sample_rate: int
    channels: int
    format: untrusted.Format


def decode_audio(source: Source | bytes, *, max_seconds: float | None = None) -> DecodedAudio:
    """Decode the first audio stream to mono float32 (through the untrusted reader); stop after `max_seconds`."""
    chunks: list[np.ndarray] = []
    audio = _read(source, max_seconds=max_seconds, on_chunk=chunks.append)
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)
    return DecodedAudio(samples=samples, sample_rate=audio.sample_rate, channels=audio.channels, format=audio.format)


class _Levels:
    """Loudness, peak and clipping of a recording, summed chunk by chunk: memory stays flat however long it is."""

    def __init__(self) -> None:
        self.count, self.squares, self.peak, self.clipped = 0, 0.0, 0.0, 0

    def add(self, chunk: np.ndarray) -> None:
        if len(chunk) == 0:
            return
        magnitude = np.abs(chunk)
        self.count += len(chunk)
        self.squares += float(np.sum(np.square(chunk, dtype=np.float64)))
        self.peak = max(self.peak, float(np.max(magnitude)))
        self.clipped += int(np.count_nonzero(magnitude >= CLIPPED_LEVEL))


def validate_sample(source: Source, *, max_bytes: int = MAX_BYTES) -> SampleInfo:
    """Check a cloning sample: real audio, an accepted type, size, 30 s to 5 min, not silent, not clipped."""
    size = _size_of(source)
    if size > max_bytes:
        shown = math.ceil(size / MB * 10) / 10  # rounded up: a file just over the limit never looks within it
        raise SampleError(f"This file is {shown:.1f} MB; samples can be at most {max_bytes / MB:.3g} MB.")
    if size == 0:
        raise SampleError("This file is empty. Upload a voice recording.")
    levels = _Levels()
    # Decode a little past the limit: enough to say "too long" without decoding an hour of audio.
    audio = _read(source, max_seconds=MAX_SECONDS + 1, on_chunk=levels.add)
    duration = audio.seconds
    if duration < MIN_SECONDS:
        raise SampleError(f"This recording is {duration:.0f} s long; record at least {MIN_SECONDS:.0f} s of speech.")
    if duration > MAX_SECONDS:
        raise SampleError(f"This recording is longer than {MAX_SECONDS / 60:.0f} minutes; trim it and upload again.")
    rms = math.sqrt(levels.squares / levels.count)
    rms_db = 20 * math.log10(rms) if rms > 0 else -math.inf
    if rms_db < SILENCE_DB:
        raise SampleError("This recording is silent or far too quiet. Record closer to the microphone.")
    if levels.clipped / levels.count > CLIPPED_SHARE:
        raise SampleError(
            "This recording is distorted: too many sounds hit the maximum level. Record a little quieter."
        )
    return SampleInfo(
        duration=round(duration, 3),
        sample_rate=audio.sample_rate,
        channels=audio.channels,
        format=FORMATS[audio.format],
        rms_db=round(rms_db, 1),
        peak=round(levels.peak, 4),
    )


def _read(source: Source | bytes, **options: Any) -> untrusted.AudioRead:
    try:
        return untrusted.read_audio(source, allowed=FORMATS, **options)
    except untrusted.NotAllowed as refused:
        raise SampleError(f"This is a {refused.label} file; upload {TAKEN} instead.") from None
    except untrusted.OutOfBounds as refused:
        raise SampleError(f"{refused} Upload a voice recording as {TAKEN}.") from None
    except untrusted.Refused:
        raise SampleError(f"This file is not audio we can read. Upload a {TAKEN} recording.") from None


def _size_of(source: Source) -> int:
    size = getattr(source, "size", None)  # Django's UploadedFile
    if isinstance(size, int):
        return size
    if hasattr(source, "seek"):
        end = source.seek(0, os.SEEK_END)
        source.seek(0)
        return end
    return Path(source).stat().st_size
