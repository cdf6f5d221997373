"""The Piper engine with the real bundled model."""

from itertools import pairwise

import numpy as np
import pytest

from mediakit.speech.engines import EngineContext, EngineError, get_engine
from mediakit.speech.engines.piper.engine import load_voice
from mediakit.speech.engines.piper.phonemes import check_phonemes
from mediakit.speech.engines.piper.settings import LIMITS, PRESETS
from mediakit.speech.engines.piper.timing import _words_per_run
from mediakit.text.lexicon import PHONEMES, said_as

SENTENCE = "Thanks for having me here today, it is a pleasure."


def median_pitch(samples: np.ndarray, rate: int) -> float:
    """Median fundamental frequency over voiced frames (autocorrelation peak between 70 and 300 Hz)."""
    frame, values = 1024, []
    for start in range(0, len(samples) - frame, frame // 2):
        chunk = samples[start : start + frame]
        if np.sqrt(np.mean(chunk**2)) < 0.03:
            continue
        chunk = chunk - chunk.mean()
        corr = np.correlate(chunk, chunk, mode="full")[frame - 1 :]
        low, high = rate // 300, rate // 70
        lag = low + int(np.argmax(corr[low:high]))
        if corr[lag] > 0.3 * corr[0]:
            values.append(rate / lag)
    return float(np.median(values))


@pytest.fixture(scope="module")
def piper():
    return get_engine("piper", EngineContext())


def test_it_speaks_a_sentence(piper):
    speech = piper.synthesize(SENTENCE, "joe", {})
    assert speech.sample_rate == 22050
    assert 2.0 < speech.duration < 6.0
    assert speech.samples.dtype == np.float32 and np.abs(speech.samples).max() <= 1.0


def test_presets_are_audibly_different_voices(piper):
    pitches = {}
    for preset in ("joe-deep", "joe", "joe-bright"):
        speech = piper.synthesize(SENTENCE, preset, {})
        pitches[preset] = median_pitch(speech.samples, speech.sample_rate)
    assert pitches["joe-deep"] < 0.95 * pitches["joe"] < 0.95 * pitches["joe-bright"]


def test_pitch_shift_keeps_the_speaking_rate_roughly(piper):
    # Piper rounds phoneme lengths to frames, so its length scale is not exactly linear: within 15 %.
    plain = piper.synthesize(SENTENCE, "joe", {"variation": 0.0})
    deep = piper.synthesize(SENTENCE, "joe", {"variation": 0.0, "pitch": 0.8})
    assert deep.duration == pytest.approx(plain.duration, rel=0.15)


def test_speed_changes_the_duration(piper):
    normal = piper.synthesize(SENTENCE, "joe", {"variation": 0.0})
    fast = piper.synthesize(SENTENCE, "joe", {"variation": 0.0, "speed": 1.5})
    assert fast.duration < 0.8 * normal.duration


@pytest.mark.parametrize(
    ("voice_id", "options", "message"),
    [
        ("nobody", {}, "unknown Piper voice 'nobody'"),
        ("joe", {"speed": 9}, "speed must be from 0.5 to 2.0"),
        ("joe", {"pitch": "high"}, "pitch must be a number"),
    ],
)
def test_bad_settings_get_a_clear_error(piper, voice_id, options, message):
    with pytest.raises(EngineError, match=message):
        piper.synthesize("Hi.", voice_id, options)


def test_an_unknown_engine_is_named():
    with pytest.raises(EngineError, match="unknown voice engine 'nope'"):
        get_engine("nope", EngineContext())


def test_retries_start_from_the_preset_and_stay_within_limits(piper):
    calm = PRESETS["joe-calm"]
    assert piper.retry_settings("joe-calm", {}, 1) == {**calm, "variation": 0.4}
    assert piper.retry_settings("joe-calm", {}, 2)["speed"] == round(calm["speed"] * 0.92, 3)  # slower than 0.88
    assert piper.retry_settings("joe", {"variation": 0.2}, 1)["variation"] == 0.2  # never livelier than asked
    assert piper.retry_settings("joe", {"speed": 0.5}, 2)["speed"] > LIMITS["speed"][0]  # faster, not slower


@pytest.mark.parametrize("asked", [{}, {"variation": 0.2}, {"speed": 0.5, "variation": 0.1}, {"variation": 0.35}])
def test_every_retry_changes_the_sound(piper, asked):
    tries = [piper.effective_settings("joe", asked)] + [piper.retry_settings("joe", asked, n) for n in (1, 2)]
    assert all(earlier != later for earlier, later in pairwise(tries)), tries


# espeak says "in the", "from the" and "at a" as one run of phonemes: the words must still come apart.
JOINED = "We walked in the rain from the station, and at a quarter past nine we were home."


@pytest.mark.parametrize("preset", ["joe", "joe-deep", "joe-bright"])
def test_every_word_is_timed_from_the_models_own_phoneme_lengths(piper, preset):
    speech = piper.synthesize(JOINED, preset, {})
    timings = speech.word_timings
    assert [word for word, _, _ in timings] == JOINED.split()
    assert all(start < end for _, start, end in timings)
    assert all(end <= next_start for (_, _, end), (_, next_start, _) in pairwise(timings))
    # Pitch shifting resamples the audio: the times must shrink or grow with it and stay inside.
    assert 0.0 < timings[0][1] < 0.3 and speech.duration - 0.4 < timings[-1][2] <= speech.duration
    timed = {word: end - start for word, start, end in timings}
    assert timed["station,"] > timed["in"] and timed["quarter"] > timed["a"]


def test_the_comma_pause_belongs_to_no_word(piper):
    timings = piper.synthesize(JOINED, "joe", {"variation": 0.0}).word_timings
    station = next(index for index, (word, _, _) in enumerate(timings) if word == "station,")
    assert timings[station + 1][1] - timings[station][2] > 0.1  # Piper breathes at the comma


@pytest.mark.parametrize(
    ("sizes", "runs", "expected"),
    [
        ([2, 2, 3], [2, 2, 3], [1, 1, 1]),
        ([2, 2, 6, 2, 2], [4, 6, 4], [2, 1, 2]),  # "in the" ... "at a" said as one run each
        ([3, 2, 2], [3, 4], [1, 2]),
        ([3], [2, 2], None),  # espeak split a word in two: nothing to match, the recogniser times it
    ],
)
def test_words_are_matched_to_runs_of_phonemes_by_their_counts(sizes, runs, expected):
    assert _words_per_run(sizes, runs) == expected


def test_a_phoneme_block_is_said_as_those_phonemes(piper):
    # Given espeak's own phonemes for a word, the block sounds exactly like the word; for "Acme", it does not.
    phonemes = "".join(load_voice().phonemize("elephant")[0])
    calm = {"variation": 0.0}
    as_block = piper.synthesize(said_as(phonemes, PHONEMES), "joe", calm).samples
    assert np.array_equal(as_block, piper.synthesize("elephant", "joe", calm).samples)
    acme = piper.synthesize("Acme", "joe", calm).samples
    assert len(acme) != len(as_block) or not np.array_equal(acme, as_block)


def test_phonemes_the_voice_lacks_are_named():
    check_phonemes("ˈæk mi")
    with pytest.raises(EngineError, match=r"no phoneme for “\[” \(U\+005B\) “Q” \(U\+0051\)"):
        check_phonemes("[Qmi")
    with pytest.raises(EngineError, match="write the phonemes in IPA"):
        check_phonemes("  ")


def test_its_english_voice_speaks_english_only(piper):
    assert piper.speaks("en") and piper.speaks("en-GB")
    assert not piper.speaks("ko") and not piper.speaks("ja")
