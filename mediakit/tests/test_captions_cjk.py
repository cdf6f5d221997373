"""Captions for Korean and Japanese: lines broken by width without spaces (never starting with closing
punctuation), word times shared among characters, and burned in with a font that has the glyphs."""

# ruff: noqa: RUF001  (full-width punctuation is what these tests are about)
import itertools
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediakit.captions.ass import CaptionStyle, to_ass
from mediakit.captions.cues import CueRules, build_cues
from mediakit.captions.east_asian import CLOSING, OPENING, text_width
from mediakit.captions.fonts import CJK_FILE, ROBOTO_FILES, caption_font, font_folder
from mediakit.ffmpeg import FFMPEG
from mediakit.speech.words import TimedWord

JAPANESE = "今日は東京で新しいプロジェクトの発表会が行われました。参加者は「とても楽しかった」と話しています。"
CHARACTERS = st.sampled_from(
    list("今日東京新発表会行参加者話ひらがなカタカナちょっと") + list("、。」』）！？「『（ー")
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(CHARACTERS, min_size=1, max_size=40), min_size=1, max_size=4), st.integers(6, 30))
def test_lines_never_start_with_closing_nor_end_with_opening_punctuation(sentences, width):
    words = [TimedWord(text, index, index + 0.9, "Host", 0) for index, text in enumerate(sentences)]
    cues = build_cues(words, CueRules(max_chars_per_line=width, max_duration=60))
    lines = [line for cue in cues for line in cue.words_by_line()]
    for line, following in itertools.pairwise([*lines, ()]):
        text = "".join(piece.text for piece in line)
        # Only where the sentence itself starts or ends with such a mark.
        assert text[0] not in CLOSING or not line[0].glued, text
        assert text[-1] not in OPENING or not (following and following[0].glued), text
        assert text_width(text) <= width or len(line) == 1, text
    # Nothing lost, nothing added: the lines are the text, cut.
    assert "".join(line for cue in cues for line in cue.lines).replace(" ", "") == "".join(sentences)


def test_a_japanese_sentence_is_cut_by_width_and_its_time_shared_by_characters():
    cues = build_cues([TimedWord(JAPANESE, 1.0, 7.0, "Host", 0)], CueRules(max_chars_per_line=20))
    assert all(text_width(line) <= 20 for cue in cues for line in cue.lines)
    assert "".join(line for cue in cues for line in cue.lines) == JAPANESE
    pieces = [word for cue in cues for word in cue.words]
    assert pieces[0].start == 1.0 and pieces[-1].end == pytest.approx(7.0)
    assert all(a.end == pytest.approx(b.start) for a, b in itertools.pairwise(pieces))
    per_character = [(word.end - word.start) / len(word.text) for word in pieces]
    assert max(per_character) == pytest.approx(min(per_character))  # each character its share


def test_korean_keeps_its_spaces_and_whole_words():
    words = [
        TimedWord(text, i, i + 0.5, "Host", 0)
        for i, text in enumerate(["오늘", "서울에서", "새로운", "발표회가", "열렸습니다."])
    ]
    cues = build_cues(words, CueRules(max_chars_per_line=16))
    lines = [line for cue in cues for line in cue.lines]
    assert " ".join(lines) == "오늘 서울에서 새로운 발표회가 열렸습니다." and len(lines) > 1
    assert all(text_width(line) <= 16 for line in lines)  # a syllable is two cells wide
    assert [word for cue in cues for word in cue.words] == words  # broken between words only


def test_the_cjk_font_is_named_and_shipped():
    assert caption_font("ja-JP", [], "Roboto") == "Noto Sans CJK JP"
    assert caption_font("ko", [], "Roboto") == "Noto Sans CJK KR"
    assert caption_font("en", ["Hello 東京"], "Roboto") == "Noto Sans CJK JP"
    assert caption_font("en", ["Hello 😀"], "Roboto") == "Roboto"
    assert CJK_FILE.is_file() and CJK_FILE.stat().st_size > 10_000_000


WIDTH, HEIGHT = 320, 180


def burned(tmp_path: Path, text: str, fonts: Path) -> np.ndarray:
    """A real frame with `text` burned in by ffmpeg's libass, seeing only the fonts in `fonts`."""
    style = CaptionStyle(font_name=caption_font("ja", [text], "Roboto"), font_size=0.2)
    ass = to_ass(build_cues([TimedWord(text, 0.0, 1.0, "Host", 0)]), width=WIDTH, height=HEIGHT, style=style)
    assert "Noto Sans CJK JP" in ass.split("[Events]")[0]
    (tmp_path / "captions.ass").write_text(ass, encoding="utf-8")
    (tmp_path / "fonts.conf").write_text(
        f"<fontconfig><dir>{fonts}</dir><cachedir>{tmp_path}/cache</cachedir></fontconfig>"
    )
    command = [FFMPEG, "-v", "error", "-f", "lavfi", "-i", f"color=c=black:s={WIDTH}x{HEIGHT}:d=1"]
    command += ["-vf", f"ass=captions.ass:fontsdir={fonts}", "-ss", "0.5", "-frames:v", "1"]
    command += ["-f", "rawvideo", "-pix_fmt", "gray", "-"]
    env = {**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")}
    raw = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(HEIGHT, WIDTH)


def test_japanese_is_burned_in_with_real_glyphs_not_boxes(tmp_path):
    fonts = font_folder(tmp_path / "fonts")
    east, capital = burned(tmp_path, "東", fonts), burned(tmp_path, "京", fonts)
    assert east.max() > 150 and capital.max() > 150  # something is drawn
    # Two characters drawn from the font differ; two missing-glyph boxes would be the same.
    assert np.count_nonzero(east.astype(int) - capital.astype(int)) > 100


def test_without_the_cjk_font_the_same_characters_would_be_boxes(tmp_path):
    """The check above can fail: with Roboto alone, both characters come out the same (boxes or nothing)."""
    east, capital = burned(tmp_path, "東", ROBOTO_FILES), burned(tmp_path, "京", ROBOTO_FILES)
    assert np.array_equal(east, capital)


def test_japanese_sentences_narrated_apart_are_captioned_together_without_a_space():
    words = [TimedWord("今日は晴れです。", 0, 1, "Host", 0), TimedWord("明日は雨です。", 1, 2, "Host", 0)]
    words += [TimedWord("Hello", 2, 2.5, "Host", 0), TimedWord("world.", 2.5, 3, "Host", 0)]
    lines = [line for cue in build_cues(words) for line in cue.lines]
    assert "".join(lines) == "今日は晴れです。明日は雨です。 Hello world." and len(lines) == 2
