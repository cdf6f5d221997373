"""Cues: the rules as properties over any word timings, and examples of line and cue breaks."""

import itertools

import pytest
import srt
import webvtt
from hypothesis import given, settings

from mediakit.captions.cues import Cue, CueRules, build_cues
from mediakit.captions.formats import to_json, to_srt, to_vtt
from mediakit.speech.words import TimedWord
from mediakit.tests.timed_words import cue_rules, timed_words, words_from


@given(timed_words(), cue_rules())
@settings(max_examples=300, deadline=None)
def test_any_word_timings_give_valid_cues(words, rules):
    cues = build_cues(words, rules)

    assert [w for cue in cues for w in cue.words] == words
    for cue in cues:
        assert {(w.speaker, w.block) for w in cue.words} == {(cue.speaker, cue.words[0].block)}
        assert 1 <= len(cue.lines) <= rules.max_lines
        assert " ".join(cue.lines) == " ".join("\u00a0".join(w.text.split()) for w in cue.words)
        for line in cue.lines:
            assert len(line) <= rules.max_chars_per_line or " " not in line  # else one overlong word
        assert cue.words[0].start - 1e-9 <= cue.start < cue.end
        assert cue.end - cue.start <= rules.max_duration + 1e-9
    for cue, after in itertools.pairwise(cues):
        assert cue.end <= after.start
        assert cue.end - cue.start >= rules.min_duration - 1e-9 or cue.end == after.start
    if cues:
        assert cues[-1].end - cues[-1].start >= min(rules.min_duration, rules.max_duration) - 1e-9


# --- cue building examples -------------------------------------------------------------------------------


def test_a_speaker_or_block_change_starts_a_new_cue():
    words = [*words_from("Hi there"), *words_from("Hello", speaker="Guest", block=1, start=0.6)]
    words += words_from("again", speaker="Guest", block=2, start=0.9)

    assert [cue.text for cue in build_cues(words)] == ["Hi there", "Hello", "again"]


def test_it_breaks_lines_after_a_sentence_before_a_clause_or_the_middle():
    words = words_from("We start now, and then we go. After that we rest")

    (cue,) = build_cues(words, CueRules(max_chars_per_line=30))

    assert cue.lines == ("We start now, and then we go.", "After that we rest")


def test_it_breaks_lines_after_a_clause_when_no_sentence_ends():
    (cue,) = build_cues(words_from("If it rains, we will stay inside all day"), CueRules(max_chars_per_line=30))

    assert cue.lines == ("If it rains,", "we will stay inside all day")


def test_it_balances_lines_without_punctuation():
    (cue,) = build_cues(words_from("one two three four five six seven eight"), CueRules(max_chars_per_line=30))

    assert cue.lines == ("one two three four", "five six seven eight")


def test_it_avoids_a_lone_word_on_the_last_line():
    (cue,) = build_cues(words_from("The cat sat on the mat. Yes"), CueRules(max_chars_per_line=24))

    assert cue.lines == ("The cat sat on", "the mat. Yes")


def test_a_word_longer_than_a_line_gets_a_line_of_its_own():
    rules = CueRules(max_chars_per_line=10, max_lines=3)

    (cue,) = build_cues(words_from("see supercalifragilistic now"), rules)

    assert cue.lines == ("see", "supercalifragilistic", "now")


def test_a_new_cue_starts_after_a_sentence_when_the_text_does_not_fit():
    words = words_from("This is the first sentence here. And a second one follows it closely now")

    cues = build_cues(words, CueRules(max_chars_per_line=25))

    assert cues[0].text == "This is the first\nsentence here."


def test_a_long_passage_is_split_into_cues_of_at_most_max_duration():
    words = words_from("word " * 40, step=0.5)

    cues = build_cues(words, CueRules(max_chars_per_line=200, max_lines=1, max_duration=3.0))

    assert len(cues) > 1
    assert all(cue.end - cue.start <= 3.0 for cue in cues)


def test_a_short_cue_lasts_min_duration_but_never_overlaps_the_next():
    words = [TimedWord("Hi", 0.0, 0.2, "Host", 0), TimedWord("Yo", 0.5, 0.7, "Guest", 1)]
    words.append(TimedWord("Bye", 5.0, 5.2, "Host", 2))

    cues = build_cues(words, CueRules(min_duration=0.8))

    assert [(cue.start, cue.end) for cue in cues] == [(0.0, 0.5), (0.5, 1.3), (5.0, 5.8)]


def test_it_refuses_words_out_of_order_or_without_text():
    with pytest.raises(ValueError, match="word 1"):
        build_cues([TimedWord("a", 1, 2, "Host", 0), TimedWord("b", 0.5, 0.7, "Host", 0)])
    with pytest.raises(ValueError, match="no text"):
        build_cues([TimedWord(" ", 0, 1, "Host", 0)])


def test_empty_input_gives_empty_but_valid_outputs():
    assert build_cues([]) == []
    assert list(srt.parse(to_srt([]))) == []
    assert webvtt.from_string(to_vtt([])).captions == []
    assert to_json([]) == {"blocks": [], "cues": []}


def test_cue_text_joins_its_lines():
    assert Cue(0, 1, ("a b", "c"), "Host", ()).text == "a b\nc"


def test_the_last_cue_never_outlasts_the_narration():
    words = [TimedWord("Go.", 1.0, 1.3, "Host", 0)]
    assert build_cues(words)[0].end == 1.8  # stretched to the minimum duration into silence
    assert build_cues(words, until=1.5)[0].end == 1.5  # but not past the end of the audio
    assert build_cues(words, until=1.2)[0].end == 1.3  # and never cut inside its own word
