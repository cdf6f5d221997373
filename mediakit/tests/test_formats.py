"""Captions written as SRT, WebVTT and JSON."""

import datetime

import srt
import webvtt
from hypothesis import given, settings

from mediakit.captions.cues import CueRules, build_cues
from mediakit.captions.formats import to_json, to_srt, to_vtt
from mediakit.tests.timed_words import timed_words, words_from


@given(timed_words())
@settings(max_examples=100, deadline=None)
def test_srt_and_vtt_read_back_with_the_same_times(words):
    cues = build_cues(words)

    subtitles = list(srt.parse(to_srt(cues)))
    captions = webvtt.from_string(to_vtt(cues)).captions

    assert len(subtitles) == len(captions) == len(cues)
    for cue, subtitle, caption in zip(cues, subtitles, captions, strict=True):
        ms = datetime.timedelta(milliseconds=1)
        assert (subtitle.start, subtitle.end) == (round(cue.start * 1000) * ms, round(cue.end * 1000) * ms)
        assert subtitle.content.endswith(cue.text)
        assert caption.start_time.in_milliseconds() == round(cue.start * 1000)
        assert caption.end_time.in_milliseconds() == round(cue.end * 1000)
        assert caption.voice == cue.speaker.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- formats ---------------------------------------------------------------------------------------------


def test_srt_names_the_speaker_only_when_it_changes():
    words = [*words_from("Hello there."), *words_from("How are you?", start=2)]
    words += words_from("Fine.", speaker="Guest", block=1, start=4)
    cues = build_cues(words, CueRules(max_chars_per_line=12, max_lines=1))

    contents = [subtitle.content for subtitle in srt.parse(to_srt(cues))]

    assert contents == ["Host: Hello there.", "How are you?", "Guest: Fine."]


def test_vtt_wraps_each_cue_in_an_escaped_voice_span():
    cues = build_cues(words_from("Salt & <pepper>", speaker="Chef Ana"))

    vtt = to_vtt(cues)

    assert "<v Chef Ana>Salt &amp; &lt;pepper&gt;</v>" in vtt
    assert webvtt.from_string(vtt).captions[0].voice == "Chef Ana"


def test_json_lists_blocks_with_their_words_and_the_cues():
    words = [*words_from("Hi there"), *words_from("Hello", speaker="Guest", block=1, start=1.0001)]

    data = to_json(words)

    assert data["blocks"][1] == {
        "index": 1,
        "speaker": "Guest",
        "text": "Hello",
        "start": 1.0,
        "end": 1.25,
        "words": [{"text": "Hello", "start": 1.0, "end": 1.25}],
    }
    assert data["blocks"][0]["words"][1] == {"text": "there", "start": 0.3, "end": 0.55}
    assert data["cues"] == [
        {"start": 0.0, "end": 0.8, "text": "Hi there", "speaker": "Host"},
        {"start": 1.001, "end": 1.801, "text": "Hello", "speaker": "Guest"},
    ]
