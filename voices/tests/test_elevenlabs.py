"""The ElevenLabs engine: the real SDK against a local fake of the ElevenLabs HTTP API (never the internet)."""

import base64
import socket
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mediakit.ffmpeg import FFMPEG
from mediakit.speech.engines import EngineError, available_engines, get_engine
from mediakit.speech.engines.elevenlabs.alignment import words_from_alignment
from tests.fake_elevenlabs import API_KEY
from voices.engine_context import engine_context

RATE = 22050


def tone(seconds: float, rate: int = RATE, frequency: float = 220.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (0.4 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def pcm_bytes(samples: np.ndarray) -> bytes:
    return (samples * 32767).astype("<i2").tobytes()


def mp3_bytes(samples: np.ndarray, rate: int, tmp_path: Path) -> bytes:
    raw, out = tmp_path / "tone.raw", tmp_path / "tone.mp3"
    raw.write_bytes(pcm_bytes(samples))
    command = [FFMPEG, "-loglevel", "error", "-y", "-f", "s16le", "-ar", str(rate)]
    subprocess.run([*command, "-ac", "1", "-i", str(raw), "-b:a", "128k", str(out)], check=True)
    return out.read_bytes()


def alignment_for(text: str, seconds_per_char: float = 0.05) -> dict[str, list]:
    starts = [round(i * seconds_per_char, 3) for i in range(len(text))]
    return {
        "characters": list(text),
        "character_start_times_seconds": starts,
        "character_end_times_seconds": [round(start + seconds_per_char, 3) for start in starts],
    }


@pytest.fixture
def engine():
    """The engine as the settings configure it when called: tests change settings after asking for it."""
    return lambda: get_engine("elevenlabs", engine_context())


def with_timestamps(audio: bytes, text: str) -> dict[str, Any]:
    return {
        "audio_base64": base64.b64encode(audio).decode(),
        "alignment": alignment_for(text),
        "normalized_alignment": alignment_for(text),
    }


def test_it_is_offered_only_with_a_key(settings, engine):
    settings.ELEVENLABS_API_KEY = ""
    assert available_engines(engine_context()) == ["piper"]
    with pytest.raises(EngineError, match="ElevenLabs is not configured: set ELEVENLABS_API_KEY"):
        engine().synthesize("Hello.", "voice-1", {})
    settings.ELEVENLABS_API_KEY = API_KEY
    assert available_engines(engine_context()) == ["piper", "elevenlabs"]


def test_it_lists_the_accounts_voices(fake, engine):
    fake.answer(
        "/v1/voices",
        200,
        {
            "voices": [
                {"voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel", "category": "premade"},
                {"voice_id": "clone-7", "name": "My clone", "category": "cloned"},
            ]
        },
    )
    voices = engine().list_voices()
    assert [(voice.voice_id, voice.name) for voice in voices] == [
        ("21m00Tcm4TlvDq8ikWAM", "Rachel"),
        ("clone-7", "My clone"),
    ]
    sent = fake.requests[0]
    assert (sent.method, sent.path, sent.headers["xi-api-key"]) == ("GET", "/v1/voices", API_KEY)


def test_it_synthesises_pcm_with_word_timings(fake, engine):
    text = "Hello there, world!"
    audio = tone(1.0)
    fake.answer("/v1/text-to-speech/voice-1/with-timestamps", 200, with_timestamps(pcm_bytes(audio), text))

    speech = engine().synthesize(text, "voice-1", {"stability": 0.3, "similarity": 0.8, "style": 0.2})

    sent = fake.requests[0]
    assert sent.method == "POST" and sent.path == "/v1/text-to-speech/voice-1/with-timestamps"
    assert sent.headers["xi-api-key"] == API_KEY
    assert sent.query["output_format"] == ["pcm_22050"]
    body = sent.json()
    assert body["text"] == text and body["model_id"] == "eleven_multilingual_v2"
    assert body["voice_settings"]["stability"] == 0.3 and body["voice_settings"]["similarity_boost"] == 0.8
    assert body["voice_settings"]["style"] == 0.2
    assert speech.sample_rate == RATE and speech.samples.dtype == np.float32
    assert speech.duration == pytest.approx(1.0)
    np.testing.assert_allclose(speech.samples, audio, atol=1e-4)
    assert speech.word_timings == [("Hello", 0.0, 0.25), ("there,", 0.3, 0.6), ("world!", 0.65, 0.95)]


def test_it_leaves_the_voices_own_settings_alone_when_none_are_given(fake, engine):
    fake.answer("/v1/text-to-speech/voice-1/with-timestamps", 200, with_timestamps(pcm_bytes(tone(0.2)), "Hi."))
    engine().synthesize("Hi.", "voice-1", {})
    assert "voice_settings" not in fake.requests[0].json()


def test_it_decodes_mp3_output(fake, engine, settings, tmp_path):
    settings.ELEVENLABS_OUTPUT_FORMAT = "mp3_44100_128"
    audio = tone(1.0, rate=44100, frequency=440.0)
    fake.answer(
        "/v1/text-to-speech/voice-1/with-timestamps", 200, with_timestamps(mp3_bytes(audio, 44100, tmp_path), "Hi.")
    )

    speech = engine().synthesize("Hi.", "voice-1", {})

    assert fake.requests[0].query["output_format"] == ["mp3_44100_128"]
    assert speech.sample_rate == 44100 and speech.samples.dtype == np.float32
    assert speech.duration == pytest.approx(1.0, abs=0.06)  # mp3 adds encoder padding
    spectrum = np.abs(np.fft.rfft(speech.samples))
    assert np.argmax(spectrum) * 44100 / len(speech.samples) == pytest.approx(440.0, abs=3)


def test_it_clones_a_voice_from_a_sample(fake, engine, tmp_path):
    fake.answer("/v1/voices/add", 200, {"voice_id": "cloned-42", "requires_verification": False})
    sample = pcm_bytes(tone(0.5))
    voice_id = engine().clone_voice("Anna", sample, "anna.wav")

    assert voice_id == "cloned-42"
    sent = fake.requests[0]
    assert sent.path == "/v1/voices/add" and sent.headers["xi-api-key"] == API_KEY
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert b'name="name"\r\n\r\nAnna' in sent.body
    assert b'filename="anna.wav"' in sent.body and sample in sent.body


def test_a_bad_key_gets_a_clear_message_without_the_key(fake, engine):
    fake.answer("/v1/text-to-speech/voice-1/with-timestamps", 401, {"detail": {"status": "invalid_api_key"}})
    with pytest.raises(EngineError, match="refused the API key") as error:
        engine().synthesize("Hello.", "voice-1", {})
    assert API_KEY not in str(error.value) and error.value.__cause__ is None


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, "ElevenLabs has no voice 'voice-1'"),
        (429, "rate-limiting this account"),
        (500, r"having trouble \(HTTP 500\)"),
        (503, r"having trouble \(HTTP 503\)"),
    ],
)
def test_service_errors_are_explained(fake, engine, status, message):
    fake.answer("/v1/text-to-speech/voice-1/with-timestamps", status, {"detail": "nope"})
    with pytest.raises(EngineError, match=message):
        engine().synthesize("Hello.", "voice-1", {})


def test_server_errors_are_retried_before_giving_up(fake, engine, settings):
    settings.ELEVENLABS_MAX_RETRIES = 1
    fake.answer("/v1/voices", 502, {"detail": "bad gateway"})
    with pytest.raises(EngineError, match="HTTP 502"):
        engine().list_voices()
    assert len(fake.requests) == 2


def test_an_unreachable_service_is_explained(settings, fake, engine):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.ELEVENLABS_BASE_URL = f"http://127.0.0.1:{port}"
    with pytest.raises(EngineError, match="Could not reach ElevenLabs"):
        engine().list_voices()


def test_a_slow_service_times_out_with_a_clear_message(fake, engine, settings):
    settings.ELEVENLABS_TIMEOUT = 0.3
    fake.delay = 1.0
    fake.answer("/v1/voices", 200, {"voices": []})
    with pytest.raises(EngineError, match="did not answer in time"):
        engine().list_voices()


@pytest.mark.parametrize(
    ("options", "message"),
    [({"stability": 2}, "stability must be from 0.0 to 1.0"), ({"similarity": "max"}, "similarity must be a number")],
)
def test_bad_settings_are_refused_before_any_request(fake, engine, options, message):
    with pytest.raises(EngineError, match=message):
        engine().synthesize("Hello.", "voice-1", options)
    assert fake.requests == []


def test_alignment_words_keep_punctuation_and_skip_runs_of_spaces():
    text = "  Two  words "
    alignment = alignment_for(text, 0.1)
    words = words_from_alignment(
        alignment["characters"],
        alignment["character_start_times_seconds"],
        alignment["character_end_times_seconds"],
    )
    assert words == [("Two", 0.2, 0.5), ("words", 0.7, 1.2)]


def test_mismatched_alignment_gives_no_timings_rather_than_wrong_ones():
    assert words_from_alignment(["a", "b"], [0.0], [0.1, 0.2]) is None


def test_the_narration_times_written_words_with_the_engines_own_alignment(fake, tmp_path):
    from mediakit.pipeline import RenderContext
    from mediakit.pipeline.stages import narrate
    from mediakit.text.normalize import normalize
    from mediakit.text.script import parse_text

    written = "Meet at 3:30 pm today."
    spoken = normalize(written).spoken_text  # what the engine is sent: "Meet at three thirty P M today."
    fake.answer("/v1/text-to-speech/voice-1/with-timestamps", 200, with_timestamps(pcm_bytes(tone(1.6)), spoken))
    ctx = RenderContext(
        blocks=parse_text(f"Host: {written}"),
        voices={"Host": {"engine": "elevenlabs", "voice_id": "voice-1", "settings": {}}},
        workdir=tmp_path,
        video=False,
        engines=engine_context(),
        verify=False,  # the fake speaks a tone: nothing to hear back, the alignment alone times the words
    )
    narrate.run(ctx)
    assert fake.requests[0].json()["text"] == spoken
    timed = {word.text: (word.start, word.end) for word in ctx.words}
    assert list(timed) == written.split()
    # Written words take their spoken words' character times (0.05 s a character in the fake's alignment);
    # "3:30 pm" is read as one phrase ("three thirty P M"), which its two written words share.
    at = {word: spoken.index(word) * 0.05 for word in ("three", " M ", "today")}
    assert timed["3:30"][0] == pytest.approx(at["three"], abs=0.03)
    assert timed["3:30"][1] == timed["pm"][0] and timed["pm"][1] == pytest.approx(at[" M "] + 0.1, abs=0.03)
    assert timed["today."] == pytest.approx((at["today"], at["today"] + 0.3), abs=0.03)


def test_the_narration_keeps_the_engines_words_apart_and_their_pauses(fake, tmp_path):
    from mediakit.pipeline import RenderContext
    from mediakit.pipeline.stages import narrate
    from mediakit.text.script import parse_text

    text = "Hello there, world!"
    # An even pace until a long breath before "world!": times shared out by length would put it too early.
    alignment = alignment_for(text)
    late = text.index("world")
    for key in ("character_start_times_seconds", "character_end_times_seconds"):
        alignment[key] = alignment[key][:late] + [time + 1.2 for time in alignment[key][late:]]
    body = {"audio_base64": base64.b64encode(pcm_bytes(tone(2.2))).decode(), "alignment": alignment}
    fake.answer("/v1/text-to-speech/voice-1/with-timestamps", 200, body)
    ctx = RenderContext(
        blocks=parse_text(f"Host: {text}"),
        voices={"Host": {"engine": "elevenlabs", "voice_id": "voice-1", "settings": {}}},
        workdir=tmp_path,
        video=False,
        engines=engine_context(),
        verify=False,
    )
    narrate.run(ctx)
    timed = [(word.text, word.start, word.end) for word in ctx.words]
    assert timed == [
        ("Hello", pytest.approx(0.0, abs=0.01), pytest.approx(0.25, abs=0.01)),
        ("there,", pytest.approx(0.3, abs=0.01), pytest.approx(0.6, abs=0.01)),
        ("world!", pytest.approx(1.85, abs=0.01), pytest.approx(2.15, abs=0.01)),
    ]


def test_it_speaks_the_multilingual_models_languages_once_configured(settings, engine):
    settings.ELEVENLABS_API_KEY = ""
    assert not engine().speaks("ko")
    settings.ELEVENLABS_API_KEY = API_KEY
    assert engine().speaks("ko") and engine().speaks("ja-JP") and engine().speaks("en")
    assert not engine().speaks("xx")


@pytest.mark.parametrize(("language", "model"), [("en", "eleven_flash_v2"), ("ko", "eleven_multilingual_v2")])
def test_a_script_not_in_english_goes_to_the_multilingual_model(fake, engine, settings, language, model):
    settings.ELEVENLABS_MODEL_ID = "eleven_flash_v2"  # English only
    fake.answer("/v1/text-to-speech/voice-1/with-timestamps", 200, with_timestamps(pcm_bytes(tone(0.2)), "안녕."))
    engine().synthesize("안녕.", "voice-1", {}, language=language)
    assert fake.requests[0].json()["model_id"] == model


def test_a_multilingual_model_configured_is_kept_for_every_language(fake, engine):
    assert engine().model_for("ja") == engine().model_for("en") == "eleven_multilingual_v2"
