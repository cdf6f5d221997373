"""Reference recordings for voice cloning: decode with PyAV and check them before anything is stored.

Pure functions, no Django: the form, the API and the engines share them.
"""

import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np

MB = 1024 * 1024  # sizes are shown in the same megabytes the limit is set in
MAX_BYTES = 20 * MB
MIN_SECONDS = 30.0
MAX_SECONDS = 300.0
SILENCE_DB = -50.0  # RMS below this (dBFS) is a silent or near-silent recording
CLIPPED_LEVEL = 0.99
CLIPPED_SHARE = 0.005  # more than 0.5 % of samples at full scale: the recording is distorted

# PyAV names a container by its demuxer; m4a shares the mov/mp4 demuxer.
FORMATS = {"wav": "wav", "mp3": "mp3", "flac": "flac", "ogg": "ogg", "mov,mp4,m4a,3gp,3g2,mj2": "m4a"}

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
    container: str  # PyAV's demuxer name


def decode_audio(source: Source | bytes, *, max_seconds: float | None = None) -> DecodedAudio:
    """Decode the first audio stream to mono float32; stop after `max_seconds` when given."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        with av.open(os.fspath(source) if isinstance(source, os.PathLike) else source) as container:
            if not container.streams.audio:
                raise SampleError("This file has no sound in it. Upload a voice recording.")
            stream = container.streams.audio[0]
            rate = stream.codec_context.sample_rate
            channels = stream.codec_context.channels
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            chunks: list[np.ndarray] = []
            decoded = 0
            for frame in container.decode(stream):
                for mono in resampler.resample(frame):
                    chunks.append(mono.to_ndarray().reshape(-1))
                    decoded += mono.samples
                if max_seconds is not None and decoded > max_seconds * rate:
                    break
            else:
                chunks += [mono.to_ndarray().reshape(-1) for mono in resampler.resample(None)]
            name = container.format.name
    except SampleError:
        raise
    except (av.FFmpegError, UnicodeDecodeError, ValueError):
        raise SampleError(
            "This file is not audio we can read. Upload a WAV, MP3, M4A, FLAC or OGG recording."
        ) from None
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)
    return DecodedAudio(samples=samples, sample_rate=rate, channels=channels, container=name)


def validate_sample(source: Source, *, max_bytes: int = MAX_BYTES) -> SampleInfo:
    """Check a cloning sample: real audio, an accepted type, size, 30 s to 5 min, not silent, not clipped."""
    size = _size_of(source)
    if size > max_bytes:
        shown = math.ceil(size / MB * 10) / 10  # rounded up: a file just over the limit never looks within it
        raise SampleError(f"This file is {shown:.1f} MB; samples can be at most {max_bytes / MB:.3g} MB.")
    if size == 0:
        raise SampleError("This file is empty. Upload a voice recording.")
    # Decode a little past the limit: enough to say "too long" without decoding an hour of audio.
    audio = decode_audio(source, max_seconds=MAX_SECONDS + 1)
    if hasattr(source, "seek"):
        source.seek(0)  # the caller stores the same file object next
    kind = FORMATS.get(audio.container)
    if kind is None:
        raise SampleError(
            f"This is a {audio.container.split(',')[0].upper()} file; upload WAV, MP3, M4A, FLAC or OGG instead."
        )
    duration = len(audio.samples) / audio.sample_rate
    if duration < MIN_SECONDS:
        raise SampleError(f"This recording is {duration:.0f} s long; record at least {MIN_SECONDS:.0f} s of speech.")
    if duration > MAX_SECONDS:
        raise SampleError(f"This recording is longer than {MAX_SECONDS / 60:.0f} minutes; trim it and upload again.")
    rms = float(np.sqrt(np.mean(np.square(audio.samples, dtype=np.float64))))
    rms_db = 20 * math.log10(rms) if rms > 0 else -math.inf
    if rms_db < SILENCE_DB:
        raise SampleError("This recording is silent or far too quiet. Record closer to the microphone.")
    peak = float(np.max(np.abs(audio.samples)))
    clipped = float(np.mean(np.abs(audio.samples) >= CLIPPED_LEVEL))
    if clipped > CLIPPED_SHARE:
        raise SampleError(
            "This recording is distorted: too many sounds hit the maximum level. Record a little quieter."
        )
    return SampleInfo(
        duration=round(duration, 3),
        sample_rate=audio.sample_rate,
        channels=audio.channels,
        format=kind,
        rms_db=round(rms_db, 1),
        peak=round(peak, 4),
    )


def _size_of(source: Source) -> int:
    size = getattr(source, "size", None)  # Django's UploadedFile
    if isinstance(size, int):
        return size
    if hasattr(source, "seek"):
        end = source.seek(0, os.SEEK_END)
        source.seek(0)
        return end
    return Path(source).stat().st_size
