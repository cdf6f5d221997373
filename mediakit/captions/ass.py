"""Captions burned into the video: an ASS document for libass, the spoken word highlighted."""

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from mediakit.captions.cues import Cue, CueRules
from mediakit.colors import HEX_COLOR

CENTER_MARGIN = 0.45  # caption bottom margin (fraction of height) for the captions-center layout


@dataclass(frozen=True)
class CaptionStyle:
    """How burned-in captions look. The font size is a fraction of the frame's short side, so a portrait
    video gets the same letters as a landscape one, just fewer of them per line (see `frame_rules`)."""

    font_name: str = "Roboto"  # shipped by the font-roboto package; pass its folder as fontsdir
    font_size: float = 0.05
    primary_color: str = "#FFFFFF"
    highlight_color: str = "#FFD400"
    outline_color: str = "#000000"
    outline_width: float = 0.004
    margin_bottom: float = 0.08
    margin_sides: float = 0.05  # fraction of the width
    bold: bool = True
    speaker_colors: Mapping[str, str] = field(default_factory=dict)  # speaker → "#RRGGBB" text colour


_ALIGN_BOTTOM_CENTRE = 2  # ASS numpad alignment
# Text colours for the second, third… speaker of a dialogue (the first keeps the primary colour): light
# enough to read on any background, and clear of the yellow current-word highlight.
DIALOGUE_COLORS = ("#7DD3FC", "#FDA4AF", "#86EFAC", "#C4B5FD")


def with_dialogue_colors(style: CaptionStyle, speakers: Sequence[str]) -> CaptionStyle:
    """The style with a colour per speaker after the first, unless it already maps speakers itself."""
    if style.speaker_colors or len(speakers) < 2:
        return style
    colors = itertools.cycle(DIALOGUE_COLORS)
    return replace(style, speaker_colors={speaker: next(colors) for speaker in speakers[1:]})


# Average advance of a character in mixed-case bold Roboto, as a fraction of the font size (measured on
# English text: 0.52); rounded up so a line with wide letters still fits.
AVERAGE_CHARACTER_WIDTH = 0.58
_FEWEST_CHARS_PER_LINE = 12


def frame_rules(
    width: int, height: int, style: CaptionStyle = CaptionStyle(), rules: CueRules = CueRules()
) -> CueRules:
    """Cue rules for captions burned into a frame: lines no longer than fit between the side margins."""
    usable = width * (1 - 2 * style.margin_sides)
    fits = int(usable / (_font_pixels(style, width, height) * AVERAGE_CHARACTER_WIDTH))
    return replace(rules, max_chars_per_line=max(_FEWEST_CHARS_PER_LINE, min(rules.max_chars_per_line, fits)))


def _font_pixels(style: CaptionStyle, width: int, height: int) -> int:
    return round(style.font_size * min(width, height))


def to_ass(
    cues: Sequence[Cue],
    *,
    width: int,
    height: int,
    style: CaptionStyle = CaptionStyle(),
    highlight_words: bool = True,
) -> str:
    """An ASS document for ffmpeg's `ass`/`subtitles` filter (libass), in the video's own pixels.

    The spoken word is highlighted with one event per word, each repeating the whole cue with that word
    recoloured (`{\\1c}` overrides). Karaoke `{\\k}` tags would leave every spoken word in the highlight
    colour (a fill, not a moving highlight) and cannot mark pauses between words as plainly.
    """
    font_size = _font_pixels(style, width, height)
    side = round(style.margin_sides * width)
    header = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "WrapStyle: 2",  # we break lines ourselves; libass must not re-wrap them
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
        "Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, "
        "Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Default,{style.font_name.replace(',', ' ')},{font_size},{_ass_color(style.primary_color)},"
        f"{_ass_color(style.highlight_color)},{_ass_color(style.outline_color)},&H80000000,"
        f"{-1 if style.bold else 0},0,0,0,100,100,0,0,1,{style.outline_width * height:.2f},0,"
        f"{_ALIGN_BOTTOM_CENTRE},{side},{side},{round(style.margin_bottom * height)},1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events = [
        # The Name field is informational; a comma in it would shift the fields after it.
        f"Dialogue: 0,{ass_time(start)},{ass_time(end)},Default,{cue.speaker.replace(',', ' ')},0,0,0,," + text
        for cue in cues
        for start, end, text in _ass_events(cue, style, highlight_words)
    ]
    return "\n".join([*header, *events]) + "\n"


def _ass_events(cue: Cue, style: CaptionStyle, highlight_words: bool) -> list[tuple[int, int, str]]:
    """(start cs, end cs, text) pieces of one cue: one per spoken word, then the plain cue until its end."""
    base = _ass_bgr(style.speaker_colors.get(cue.speaker, style.primary_color))
    start, end = _cs(cue.start), _cs(cue.end)
    if not highlight_words:
        return [(start, end, _ass_text(cue, base, None))] if start < end else []
    highlight = _ass_bgr(style.highlight_color)

    def clamp(centiseconds: int) -> int:
        return min(max(centiseconds, start), end)

    # Word k is highlighted from its start until the next word starts (through short pauses); the first
    # piece begins at the cue start, which is never before the first word.
    word_starts = [start, *(clamp(_cs(w.start)) for w in cue.words[1:])]
    last_end = max(clamp(_cs(cue.words[-1].end)), word_starts[-1])
    edges = [*word_starts, last_end]
    pieces = [(edges[k], edges[k + 1], _ass_text(cue, base, (k, highlight))) for k in range(len(cue.words))]
    pieces.append((last_end, end, _ass_text(cue, base, None)))
    return [piece for piece in pieces if piece[0] < piece[1]]


def _ass_text(cue: Cue, base: str, highlighted: tuple[int, str] | None) -> str:
    """The cue's lines in the base colour, with word (index, colour) recoloured; hard breaks \\N."""
    lines, index = [], 0
    for line in cue.lines:
        parts = []
        # Lines join words with plain spaces and a word never holds one (see cues.display).
        for text in line.split(" "):
            escaped = ass_escape(text)
            if highlighted and index == highlighted[0]:
                escaped = f"{{\\1c&H{highlighted[1]}&}}{escaped}{{\\1c&H{base}&}}"
            parts.append(escaped)
            index += 1
        lines.append(" ".join(parts))
    return f"{{\\1c&H{base}&}}" + "\\N".join(lines)


def ass_escape(text: str) -> str:
    # libass reads \{ and \} as literal braces; a backslash is kept literal by a word joiner after it,
    # so "\N", "\n" or "\h" in a word never turn into breaks.
    return text.replace("\\", "\\\u2060").replace("{", "\\{").replace("}", "\\}")


def ass_time(centiseconds: int) -> str:
    hours, rest = divmod(centiseconds, 360_000)
    minutes, rest = divmod(rest, 6_000)
    return f"{hours}:{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}"


def _cs(seconds: float) -> int:
    return round(seconds * 100)


def _ass_bgr(hex_color: str) -> str:
    """The "BBGGRR" of an ASS colour from "#RRGGBB"."""
    match = HEX_COLOR.fullmatch(hex_color)
    if not match:
        raise ValueError(f"colour must look like #RRGGBB, not {hex_color!r}")
    red, green, blue = match.groups()
    return f"{blue}{green}{red}".upper()


def _ass_color(hex_color: str) -> str:
    return f"&H00{_ass_bgr(hex_color)}"  # style colours are &HAABBGGRR, alpha 00 = opaque
