"""Captions: cue rules as properties over any word timings, the four output formats, and real libass."""

import datetime
import itertools
import os
import subprocess
from pathlib import Path

import font_roboto
import imageio_ffmpeg
import numpy as np
import pytest
import srt
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from mediakit.captions.cues import (
    CaptionStyle,
    Cue,
    CueRules,
    build_cues,
    frame_rules,
    to_ass,
    to_json,
    to_srt,
    to_vtt,
)
from mediakit.speech.words import TimedWord


def words_from(text: str, *, speaker: str = "Host", block: int = 0, start: float = 0.0, step: float = 0.3):
    """Evenly timed words for examples: each lasts 0.25 s and the next starts `step` later."""
    return [
        TimedWord(word, start + i * step, start + i * step + 0.25, speaker, block)
        for i, word in enumerate(text.split())
    ]


# --- properties over any valid word timings -------------------------------------------------------------

# Letters plus the characters each format must escape, and sentence/clause punctuation.
word_texts = st.one_of(
    st.text("abcdefghij.,;!?&<>{}\\", min_size=1, max_size=12),
    st.text("xyz", min_size=40, max_size=120),  # longer than any line
).filter(lambda text: text.strip())


@st.composite
def timed_words(draw) -> list[TimedWord]:
    words, clock, block = [], 0.0, 0
    speakers = ["Host", "Guest Star", "Ana & <Bo>"]
    speaker = draw(st.sampled_from(speakers))
    for _ in range(draw(st.integers(0, 60))):
        if draw(st.integers(0, 9)) == 0:  # a new block, maybe a new speaker
            block += 1
            speaker = draw(st.sampled_from(speakers))
        clock += draw(st.one_of(st.just(0.0), st.floats(0, 3)))
        duration = draw(st.one_of(st.just(0.0), st.floats(0, 1.5), st.floats(5, 12)))
        words.append(TimedWord(draw(word_texts), clock, clock + duration, speaker, block))
        clock += duration
    return words


@st.composite
def cue_rules(draw) -> CueRules:
    # Durations in whole ms, as cue times are.
    min_ms = draw(st.integers(0, 2000))
    return CueRules(
        max_chars_per_line=draw(st.integers(5, 50)),
        max_lines=draw(st.integers(1, 3)),
        min_duration=min_ms / 1000,
        max_duration=draw(st.integers(max(min_ms, 500), 8000)) / 1000,
    )


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


def test_ass_uses_the_video_size_style_and_ass_colours():
    style = CaptionStyle(font_size=0.05, primary_color="#112233", highlight_color="#FF8000", margin_bottom=0.1)

    document = to_ass(build_cues(words_from("Hi")), width=1080, height=1920, style=style)

    assert "PlayResX: 1080\nPlayResY: 1920" in document
    assert "Style: Default,Roboto,54,&H00332211,&H000080FF,&H00000000," in document  # 5 % of the short side
    assert ",2,54,54,192,1\n" in document  # bottom centre, side margins, bottom margin


def test_ass_highlights_one_word_per_event_in_the_speakers_colour():
    style = CaptionStyle(highlight_color="#FFFF00", speaker_colors={"Guest": "#00FF00"})

    document = to_ass(build_cues(words_from("Hi you", speaker="Guest")), width=320, height=240, style=style)

    events = [line.split(",", 9) for line in document.splitlines() if line.startswith("Dialogue:")]
    assert [(start, end, name, text) for _, start, end, _, name, *_, text in events] == [
        ("0:00:00.00", "0:00:00.30", "Guest", r"{\1c&H00FF00&}{\1c&H00FFFF&}Hi{\1c&H00FF00&} you"),
        ("0:00:00.30", "0:00:00.55", "Guest", r"{\1c&H00FF00&}Hi {\1c&H00FFFF&}you{\1c&H00FF00&}"),
        ("0:00:00.55", "0:00:00.80", "Guest", r"{\1c&H00FF00&}Hi you"),
    ]


def test_ass_escapes_braces_and_backslashes():
    document = to_ass(build_cues(words_from(r"{x} C:\New")), width=320, height=240, highlight_words=False)

    assert document.splitlines()[-1].endswith("{\\1c&HFFFFFF&}\\{x\\} C:\\\u2060New")


# --- burning with real ffmpeg/libass ---------------------------------------------------------------------

# No system fonts: only the Roboto files the font-roboto package ships, the ones renders use.
# A fontconfig file that lists only their folder hides every other font.
GLYPH_FONTS = Path(font_roboto.font_directory)
WIDTH, HEIGHT = 320, 240


def render_frame(tmp_path: Path, at: float, ass: str | None) -> np.ndarray:
    (tmp_path / "fonts.conf").write_text(
        f"<fontconfig><dir>{GLYPH_FONTS}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    filters = []
    if ass is not None:
        (tmp_path / "captions.ass").write_text(ass)
        filters = ["-vf", f"ass=captions.ass:fontsdir={GLYPH_FONTS}"]
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi"]
    command += ["-i", f"color=c=black:s={WIDTH}x{HEIGHT}:d=2", *filters, "-ss", str(at), "-frames:v", "1"]
    command += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    env = {**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")}
    frame = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, check=True).stdout
    return np.frombuffer(frame, dtype=np.uint8).reshape(HEIGHT, WIDTH, 3)


def yellow_in(region: np.ndarray) -> int:
    red, green, blue = (region[..., i].astype(int) for i in range(3))
    return int(((red > 180) & (green > 180) & (blue < 80)).sum())


def test_libass_burns_the_caption_and_moves_the_highlight(tmp_path):
    words = [TimedWord("Hello", 0.2, 0.9, "Host", 0), TimedWord("world", 1.0, 1.8, "Host", 0)]
    style = CaptionStyle(font_size=0.12, highlight_color="#FFFF00")
    ass = to_ass(build_cues(words), width=WIDTH, height=HEIGHT, style=style)

    plain = render_frame(tmp_path, 0.5, None)
    first = render_frame(tmp_path, 0.5, ass)
    second = render_frame(tmp_path, 1.4, ass)

    caption_region = slice(HEIGHT // 2, HEIGHT)
    assert not np.array_equal(first[caption_region], plain[caption_region])
    assert np.array_equal(first[: HEIGHT // 2], plain[: HEIGHT // 2])
    left, right = slice(0, WIDTH // 2), slice(WIDTH // 2, WIDTH)
    assert yellow_in(first[caption_region, left]) > 20 and yellow_in(first[caption_region, right]) == 0
    assert yellow_in(second[caption_region, right]) > 20 and yellow_in(second[caption_region, left]) == 0


def test_cue_text_joins_its_lines():
    assert Cue(0, 1, ("a b", "c"), "Host", ()).text == "a b\nc"


def test_the_last_cue_never_outlasts_the_narration():
    words = [TimedWord("Go.", 1.0, 1.3, "Host", 0)]
    assert build_cues(words)[0].end == 1.8  # stretched to the minimum duration into silence
    assert build_cues(words, until=1.5)[0].end == 1.5  # but not past the end of the audio
    assert build_cues(words, until=1.2)[0].end == 1.3  # and never cut inside its own word


@pytest.mark.parametrize(("width", "height"), [(360, 640), (640, 360), (360, 360)])
def test_burned_lines_fit_inside_the_frame_at_every_aspect(tmp_path, width, height):
    text = (
        "Welcome back! Today Dr. Smith explains why three in four startups fail, and what the "
        "survivors did differently during their first eighteen months."
    )
    words = [TimedWord(word, 0.05 * i, 0.05 * i + 0.04, "Host", 0) for i, word in enumerate(text.split())]
    style = CaptionStyle(font_size=0.05)
    cues = build_cues(words, frame_rules(width, height, style), until=10)
    ass = to_ass(cues, width=width, height=height, style=style, highlight_words=False)
    (tmp_path / "fonts.conf").write_text(f"<fontconfig><dir>{GLYPH_FONTS}</dir></fontconfig>")
    (tmp_path / "captions.ass").write_text(ass)
    edge = max(2, width // 50)
    for cue in cues:
        at = (cue.start + cue.end) / 2
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"color=c=black:s={width}x{height}:d=10",
        ]
        command += ["-vf", f"ass=captions.ass:fontsdir={GLYPH_FONTS}", "-ss", f"{at:.3f}", "-frames:v", "1"]
        command += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        env = {**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")}
        raw = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, check=True).stdout
        frame = np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3)
        assert frame.max() > 0  # the caption is there
        assert frame[:, :edge].max() == 0 and frame[:, -edge:].max() == 0, f"{cue.text!r} touches the side"
