"""Captions burned into the video: an ASS document for libass, the spoken word highlighted."""

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from mediakit.captions.cues import Cue, CueRules, display
from mediakit.colors import HEX_COLOR
from mediakit.speech.words import TimedWord

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
    preset: str = "highlight"  # one of PRESETS
    platform: str = "any"  # one of PLATFORMS: keeps captions out of its UI
    margin_right: float | None = None  # fraction of the width; None: margin_sides


# How captions move: highlight (the spoken word recoloured), karaoke (a colour sweep through each word, \kf),
# pop (the spoken word recoloured and enlarged), boxed (on a dark box), centre (big, mid-frame),
# minimal (regular weight, smaller, no highlight).
PRESETS = ("highlight", "karaoke", "pop", "boxed", "centre", "minimal")


@dataclass(frozen=True)
class SafeZone:
    """Parts of the frame a platform's UI covers (fractions of height / width), from its creator guidance:
    the top bar, the caption and music line at the bottom, the like/comment/share buttons on the right."""

    top: float = 0.0
    bottom: float = 0.0
    right: float = 0.0


PLATFORMS = {
    "any": SafeZone(),
    "tiktok": SafeZone(top=0.10, bottom=0.20, right=0.13),
    "reels": SafeZone(top=0.12, bottom=0.22, right=0.11),
    "shorts": SafeZone(top=0.10, bottom=0.18, right=0.11),
}
_SAFE_PAD = 0.02  # captions keep this much clear of a UI area


def effective_style(style: CaptionStyle) -> CaptionStyle:
    """The style with its preset's size and weight and its platform's margins applied."""
    if style.preset not in PRESETS:
        raise ValueError(f"caption preset must be one of {', '.join(PRESETS)}, not {style.preset!r}")
    if style.platform not in PLATFORMS:
        raise ValueError(f"caption platform must be one of {', '.join(PLATFORMS)}, not {style.platform!r}")
    zone = PLATFORMS[style.platform]
    changes: dict = {}
    if style.preset == "centre":
        changes.update(font_size=style.font_size * 1.25, margin_bottom=CENTER_MARGIN)
    elif style.preset == "minimal":
        changes.update(bold=False, font_size=style.font_size * 0.85, outline_width=style.outline_width * 0.5)
    if zone.bottom and style.preset != "centre":
        changes["margin_bottom"] = max(style.margin_bottom, zone.bottom + _SAFE_PAD)
    if zone.right:
        changes["margin_right"] = max(style.margin_right or style.margin_sides, zone.right)
    return replace(style, **changes)


def safe_top(style: CaptionStyle) -> float:
    """Where text drawn at the top may begin (fraction of the height): below the platform's top bar."""
    return max(0.08, PLATFORMS.get(style.platform, SafeZone()).top + _SAFE_PAD)


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
    style = effective_style(style)
    usable = width * (1 - style.margin_sides - (style.margin_right or style.margin_sides))
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
    style = effective_style(style)
    font_size = _font_pixels(style, width, height)
    side = round(style.margin_sides * width)
    right = round((style.margin_right or style.margin_sides) * width)
    boxed = style.preset == "boxed"
    highlight_words = highlight_words and style.preset != "minimal"
    outline = style.outline_width * height
    font = style.font_name.replace(",", " ")
    bottom = round(style.margin_bottom * height)
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
        # Boxed: BorderStyle 3 draws an opaque box (in the outline colour, here a see-through black) whose
        # padding is the outline width.
        f"Style: Default,{font},{font_size},{_ass_color(style.primary_color)},"
        f"{_ass_color(style.highlight_color)},{'&H40000000' if boxed else _ass_color(style.outline_color)},"
        f"&H80000000,{-1 if style.bold else 0},0,0,0,100,100,0,0,{3 if boxed else 1},"
        f"{outline * (3 if boxed else 1):.2f},0,{_ALIGN_BOTTOM_CENTRE},{side},{right},{bottom},1",
        # Kinetic cards (video/kinetic.py): plain bold text with an outline, and text on a box.
        f"Style: Card,{font},{font_size},&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,"
        f"{outline * 1.5:.2f},{outline:.2f},5,{side},{right},0,1",
        f"Style: Box,{font},{font_size},&H00FFFFFF,&H00FFFFFF,&H50000000,&H50000000,-1,0,0,0,100,100,0,0,3,"
        f"{outline * 4:.2f},0,5,{side},{right},0,1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events = [
        # The Name field is informational; a comma in it would shift the fields after it.
        f"Dialogue: 0,{ass_time(start)},{ass_time(end)},Default,{cue.speaker.replace(',', ' ')},0,0,0,," + text
        for cue in cues
        for start, end, text in (
            _karaoke_event(cue, style) if style.preset == "karaoke" else _ass_events(cue, style, highlight_words)
        )
    ]
    return "\n".join([*header, *events]) + "\n"


def _ass_events(cue: Cue, style: CaptionStyle, highlight_words: bool) -> list[tuple[int, int, str]]:
    """(start cs, end cs, text) pieces of one cue: one per spoken word, then the plain cue until its end."""
    base = ass_bgr(style.speaker_colors.get(cue.speaker, style.primary_color))
    start, end = _cs(cue.start), _cs(cue.end)
    if not highlight_words:
        return [(start, end, _ass_text(cue, base, None))] if start < end else []
    highlight = ass_bgr(style.highlight_color)
    grow = style.preset == "pop"  # the spoken word grows too

    def clamp(centiseconds: int) -> int:
        return min(max(centiseconds, start), end)

    # Word k is highlighted from its start until the next word starts (through short pauses); the first
    # piece begins at the cue start, which is never before the first word.
    word_starts = [start, *(clamp(_cs(w.start)) for w in cue.words[1:])]
    last_end = max(clamp(_cs(cue.words[-1].end)), word_starts[-1])
    edges = [*word_starts, last_end]
    pieces = [(edges[k], edges[k + 1], _ass_text(cue, base, (k, highlight), grow)) for k in range(len(cue.words))]
    pieces.append((last_end, end, _ass_text(cue, base, None)))
    return [piece for piece in pieces if piece[0] < piece[1]]


def _karaoke_event(cue: Cue, style: CaptionStyle) -> list[tuple[int, int, str]]:
    r"""One event per cue: \kf sweeps the highlight colour through each word as it is spoken (libass
    animates it, so still scenes get frames through it: see video/overlays.caption_change_frames)."""
    base = ass_bgr(style.speaker_colors.get(cue.speaker, style.primary_color))
    start, end = _cs(cue.start), _cs(cue.end)
    if start >= end:
        return []
    clock, parts, index = start, [], 0
    starts = [_cs(w.start) for w in cue.words]
    for number, line in enumerate(cue.words_by_line()):
        for position, word in enumerate(line):
            word_start = min(max(starts[index] if index < len(starts) else clock, clock), end)
            following = starts[index + 1] if index + 1 < len(starts) else _cs(cue.words[-1].end)
            word_end = min(max(following, word_start), end)
            gap = word_start - clock
            timed = (rf"{{\k{gap}}}" if gap > 0 else "") + rf"{{\kf{word_end - word_start}}}"
            parts.append(_separator(word, position) + timed + ass_escape(display(word)))
            clock, index = word_end, index + 1
        if number < len(cue.lines) - 1:
            parts.append("\\N")
    colors = f"{{\\1c&H{ass_bgr(style.highlight_color)}&\\2c&H{base}&}}"
    return [(start, end, colors + "".join(parts))]


def _ass_text(cue: Cue, base: str, highlighted: tuple[int, str] | None, grow: bool = False) -> str:
    """The cue's lines in the base colour, with word (index, colour) recoloured; hard breaks \\N."""
    lines, index = [], 0
    for line in cue.words_by_line():
        parts = []
        for position, word in enumerate(line):
            escaped = ass_escape(display(word))
            if highlighted and index == highlighted[0]:
                on, off = ("\\fscx118\\fscy118", "\\fscx100\\fscy100") if grow else ("", "")
                escaped = f"{{\\1c&H{highlighted[1]}&{on}}}{escaped}{{\\1c&H{base}&{off}}}"
            parts.append(_separator(word, position) + escaped)
            index += 1
        lines.append("".join(parts))
    return f"{{\\1c&H{base}&}}" + "\\N".join(lines)


def _separator(word: TimedWord, position: int) -> str:
    """What comes before a word on its line: a space, none for the first or a piece of an unspaced word."""
    return "" if word.glued or position == 0 else " "


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


def ass_bgr(hex_color: str) -> str:
    """The "BBGGRR" of an ASS colour from "#RRGGBB"."""
    match = HEX_COLOR.fullmatch(hex_color)
    if not match:
        raise ValueError(f"colour must look like #RRGGBB, not {hex_color!r}")
    red, green, blue = match.groups()
    return f"{blue}{green}{red}".upper()


def _ass_color(hex_color: str) -> str:
    return f"&H00{ass_bgr(hex_color)}"  # style colours are &HAABBGGRR, alpha 00 = opaque
