"""Burned-in captions: the ASS document, and real libass drawing it."""

import os
import subprocess
from pathlib import Path

import font_roboto
import numpy as np
import pytest

from mediakit.captions.ass import CaptionStyle, frame_rules, to_ass
from mediakit.captions.cues import build_cues
from mediakit.ffmpeg import FFMPEG
from mediakit.speech.words import TimedWord
from mediakit.tests.timed_words import words_from


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
    command = [FFMPEG, "-v", "error", "-f", "lavfi"]
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
            FFMPEG,
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


def _style_line(document: str, name: str = "Default") -> list[str]:
    line = next(line for line in document.splitlines() if line.startswith(f"Style: {name},"))
    return line.removeprefix("Style: ").split(",")


def _events(document: str) -> list[str]:
    return [line.split(",", 9)[9] for line in document.splitlines() if line.startswith("Dialogue:")]


def test_the_karaoke_preset_sweeps_each_word_in_one_event():
    style = CaptionStyle(preset="karaoke", highlight_color="#FFFF00")

    document = to_ass(build_cues(words_from("Hi you")), width=320, height=240, style=style)

    assert _events(document) == [r"{\1c&H00FFFF&\2c&HFFFFFF&}{\kf30}Hi {\kf25}you"]


def test_the_pop_preset_grows_the_spoken_word():
    document = to_ass(build_cues(words_from("Hi you")), width=320, height=240, style=CaptionStyle(preset="pop"))

    assert _events(document)[0] == r"{\1c&HFFFFFF&}{\1c&H00D4FF&\fscx118\fscy118}Hi{\1c&HFFFFFF&\fscx100\fscy100} you"


def test_the_boxed_preset_draws_an_opaque_box_behind_the_lines():
    document = to_ass(build_cues(words_from("Hi")), width=1080, height=1920, style=CaptionStyle(preset="boxed"))

    fields = _style_line(document)
    assert fields[15] == "3" and fields[5] == "&H40000000"  # BorderStyle 3: a box in the (see-through) outline colour


def test_bold_centre_is_bigger_and_mid_frame_and_minimal_is_light_without_highlight():
    cues = build_cues(words_from("Hi you"))
    centre = _style_line(to_ass(cues, width=1080, height=1920, style=CaptionStyle(preset="centre")))
    assert centre[2] == "68" and centre[-2] == str(round(0.45 * 1920))  # 1.25 x 54, margin to the middle
    minimal = to_ass(cues, width=1080, height=1920, style=CaptionStyle(preset="minimal"))
    assert _style_line(minimal)[2] == "46" and _style_line(minimal)[7] == "0"  # smaller, not bold
    assert _events(minimal) == [r"{\1c&HFFFFFF&}Hi you"]  # one event: no word highlighted


def test_a_platform_keeps_captions_out_of_its_buttons_and_bottom_text():
    cues = build_cues(words_from("Hi you"))
    tiktok = _style_line(to_ass(cues, width=1080, height=1920, style=CaptionStyle(platform="tiktok")))
    assert int(tiktok[-2]) >= round(0.22 * 1920)  # above the caption and music line
    assert int(tiktok[-3]) >= round(0.13 * 1080) and tiktok[-4] == "54"  # clear of the right-hand buttons
    plain = _style_line(to_ass(cues, width=1080, height=1920, style=CaptionStyle()))
    assert plain[-2] == str(round(0.08 * 1920)) and plain[-3] == "54"
    # Fewer characters fit a line once the right margin grows.
    assert (
        frame_rules(1080, 1920, CaptionStyle(platform="tiktok")).max_chars_per_line
        < frame_rules(1080, 1920).max_chars_per_line
    )


def test_unknown_presets_and_platforms_are_refused():
    with pytest.raises(ValueError, match="preset must be one of"):
        to_ass([], width=320, height=240, style=CaptionStyle(preset="wobbly"))
    with pytest.raises(ValueError, match="platform must be one of"):
        to_ass([], width=320, height=240, style=CaptionStyle(platform="myspace"))


def test_a_karaoke_sweep_gets_a_frame_every_other_frame_on_still_scenes():
    from mediakit.video.overlays import caption_change_frames

    document = to_ass(build_cues(words_from("Hi you")), width=320, height=240, style=CaptionStyle(preset="karaoke"))

    assert caption_change_frames(document, 30) == [*range(0, 24, 2), 24]  # the cue (0.00 to 0.80 s), swept
