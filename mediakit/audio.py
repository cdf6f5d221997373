"""Audio: WAV files, resampling, peak limiting, fades, MP3. The one home of these for the whole project."""

import io
import wave
from pathlib import Path
from typing import BinaryIO

import numpy as np

from mediakit.ffmpeg import run_ffmpeg


def write_wav(target: Path | BinaryIO, samples: np.ndarray, sample_rate: int) -> None:
    """Mono 16-bit PCM, samples clipped to [-1, 1], to a file path or a binary file object."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(target if hasattr(target, "write") else str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    write_wav(buffer, samples, sample_rate)
    return buffer.getvalue()


def resample(samples: np.ndarray, source_rate: float, target_rate: float) -> np.ndarray:
    if source_rate == target_rate or len(samples) == 0:
        return samples.astype(np.float32)
    count = max(1, round(len(samples) * target_rate / source_rate))
    positions = np.linspace(0, len(samples) - 1, count)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


PEAK_CEILING = 10 ** (-1 / 20)  # -1 dBFS: headroom for inter-sample peaks and the MP3 encoder
LIMITER_BLOCK = 0.01  # seconds over which the limiter's gain changes: smooth enough not to distort speech


def limit_peaks(samples: np.ndarray, sample_rate: int, ceiling: float = PEAK_CEILING) -> np.ndarray:
    """Turn down only the moments that peak over `ceiling`, with a smooth gain instead of clipping them.

    Each block's gain respects the peaks of the block and both its neighbours, and the gain between block
    centres is interpolated: every sample's gain is then a mix of gains that each respect its peak.
    """
    if len(samples) == 0:
        return samples.astype(np.float32)
    block = max(1, round(LIMITER_BLOCK * sample_rate))
    count = -(-len(samples) // block)
    magnitudes = np.zeros(count * block, dtype=np.float32)
    magnitudes[: len(samples)] = np.abs(samples)
    peaks = magnitudes.reshape(count, block).max(axis=1)
    around = np.maximum(peaks, np.maximum(np.r_[0.0, peaks[:-1]], np.r_[peaks[1:], 0.0]))
    gains = np.minimum(1.0, ceiling / np.maximum(around, 1e-9))
    centres = (np.arange(count) + 0.5) * block
    return (samples * np.interp(np.arange(len(samples)), centres, gains)).astype(np.float32)


def fade_edges(samples: np.ndarray, sample_rate: int, seconds: float = 0.008) -> np.ndarray:
    """A few milliseconds of fade at each end, so joined blocks never click."""
    length = min(len(samples) // 2, int(sample_rate * seconds))
    if length == 0:
        return samples
    ramp = np.linspace(0.0, 1.0, length, dtype=np.float32)
    faded = samples.astype(np.float32, copy=True)
    faded[:length] *= ramp
    faded[-length:] *= ramp[::-1]
    return faded


def encode_mp3(wav: Path, mp3: Path, bitrate: str = "192k") -> Path:
    run_ffmpeg(["-i", str(wav), "-c:a", "libmp3lame", "-b:a", bitrate, str(mp3)], duration=0)
    return mp3
