"""Cloning samples are checked on real files: good speech passes, each kind of bad file gets its own message."""

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest

from mediakit.audio import write_wav
from mediakit.ffmpeg import FFMPEG
from mediakit.speech.engines import EngineContext, get_engine
from mediakit.speech.samples import SampleError, validate_sample

RATE = 22050
LINES = [
    "Hello, and welcome to this recording of my voice.",
    "I am reading a few sentences so the system can learn how I sound.",
    "The weather today is mild, with a light breeze from the west.",
    "Numbers like twenty five and one hundred should sound natural too.",
]


def encode(source: Path, target: Path, *args: str, loops: int = 0) -> Path:
    command = [FFMPEG, "-loglevel", "error", "-y", "-stream_loop", str(loops), "-i", str(source)]
    subprocess.run([*command, *args, str(target)], check=True)
    return target


def wav_of(path: Path, samples: np.ndarray) -> Path:
    write_wav(path, samples, RATE)
    return path


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory) -> Path:
    """About 35 s of real Piper speech with short breaths between sentences."""
    piper = get_engine("piper", EngineContext())
    pause = np.zeros(int(0.4 * RATE), dtype=np.float32)
    pieces, total = [], 0
    while total < 35 * RATE:
        for line in LINES:
            speech = piper.synthesize(line, "joe", {})
            pieces += [speech.samples * 0.8, pause]
            total += len(speech.samples) + len(pause)
    return wav_of(tmp_path_factory.mktemp("speech") / "speech.wav", np.concatenate(pieces)[: 35 * RATE])


@pytest.mark.parametrize(("suffix", "kind"), [(".mp3", "mp3"), (".flac", "flac"), (".wav", "wav")])
def test_real_speech_passes(speech_wav, tmp_path, suffix, kind):
    path = speech_wav if kind == "wav" else encode(speech_wav, tmp_path / f"speech{suffix}")
    info = validate_sample(path)
    assert info.format == kind and info.channels == 1
    assert info.duration == pytest.approx(35.0, abs=0.1)
    assert -40 < info.rms_db < -10 and 0.1 < info.peak <= 1.01


def test_an_uploaded_file_object_passes_and_is_rewound(speech_wav, tmp_path):
    upload = io.BytesIO(encode(speech_wav, tmp_path / "s.ogg", "-c:a", "libopus").read_bytes())
    assert validate_sample(upload).format == "ogg"
    assert upload.tell() == 0  # the caller stores the whole file next


def test_m4a_is_accepted(speech_wav, tmp_path):
    assert validate_sample(encode(speech_wav, tmp_path / "s.m4a", "-c:a", "aac")).format == "m4a"


def test_text_renamed_to_wav_is_not_audio(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("These are my notes, not a recording.\n" * 50)
    with pytest.raises(SampleError, match="not audio we can read"):
        validate_sample(path)


def test_an_audio_type_we_do_not_take_is_named_even_with_a_wav_name(speech_wav, tmp_path):
    # A real AIFF file disguised as .wav: the decoded container decides, not the extension.
    disguised = tmp_path / "voice.wav"
    encode(speech_wav, tmp_path / "voice.aiff").rename(disguised)
    with pytest.raises(SampleError, match="This is a AIFF file; upload WAV, MP3, M4A, FLAC or OGG"):
        validate_sample(disguised)


def test_a_short_clip_is_refused(speech_wav, tmp_path):
    clip = encode(speech_wav, tmp_path / "clip.wav", "-t", "5")
    with pytest.raises(SampleError, match="5 s long; record at least 30 s"):
        validate_sample(clip)


def test_a_too_long_recording_is_refused(speech_wav, tmp_path):
    long = encode(speech_wav, tmp_path / "long.mp3", "-b:a", "32k", loops=9)
    with pytest.raises(SampleError, match="longer than 5 minutes"):
        validate_sample(long)


def test_silence_is_refused(tmp_path):
    with pytest.raises(SampleError, match="silent or far too quiet"):
        validate_sample(wav_of(tmp_path / "silence.wav", np.zeros(40 * RATE, dtype=np.float32)))


def test_a_clipped_recording_is_refused(tmp_path):
    t = np.arange(40 * RATE) / RATE
    square = np.sign(np.sin(2 * np.pi * 150 * t)).astype(np.float32)
    with pytest.raises(SampleError, match="distorted"):
        validate_sample(wav_of(tmp_path / "square.wav", square))


def test_an_over_size_file_is_refused_before_decoding(speech_wav):
    with pytest.raises(SampleError, match=r"at most 1 MB"):
        validate_sample(speech_wav, max_bytes=1024 * 1024)


def test_the_size_message_uses_the_limits_own_megabytes(tmp_path):
    just_over = tmp_path / "big.wav"
    with just_over.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)  # one byte over the 20 MB limit
    with pytest.raises(SampleError, match=r"^This file is 20\.1 MB; samples can be at most 20 MB\.$"):
        validate_sample(just_over)


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.mp3"
    path.write_bytes(b"")
    with pytest.raises(SampleError, match="empty"):
        validate_sample(path)
