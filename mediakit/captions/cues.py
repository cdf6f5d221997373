"""Captions stage: word timings → cues → SRT, WebVTT, JSON and ASS (for burning into video).

Pure Python, no Django: the stage module around it reads the words and stores the outputs.
"""

import datetime
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

import srt
import webvtt

from mediakit.speech.words import TimedWord

_SENTENCE_END = (".", "!", "?", "…")
_CLAUSE_END = (",", ";", ":", "\u2014", "\u2013")  # em and en dashes too
# Closing quotes and brackets after punctuation ("said.") still end the sentence.
_CLOSERS = "\"')]}\u00bb\u201d\u2019"


@dataclass(frozen=True)
class CueRules:
    max_chars_per_line: int = 42
    max_lines: int = 2
    min_duration: float = 0.8
    max_duration: float = 7.0

    def __post_init__(self) -> None:
        if self.max_chars_per_line < 1 or self.max_lines < 1:
            raise ValueError("max_chars_per_line and max_lines must be at least 1")
        if not 0 <= self.min_duration <= self.max_duration or self.max_duration < 0.001:
            raise ValueError("need 0 <= min_duration <= max_duration and max_duration >= 1 ms")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]
    speaker: str
    words: tuple[TimedWord, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# --- building cues ---------------------------------------------------------------------------------------


def build_cues(words: Sequence[TimedWord], rules: CueRules = CueRules(), *, until: float | None = None) -> list[Cue]:
    """Group words into readable cues: one speaker and block each, within the line and duration rules.

    `until` is where the narration ends: the minimum duration never stretches the last cue past it.

    Words must have text, finite times with 0 <= start <= end, and starts in order. Overlaps between
    words are tolerated (cues are clipped so they never overlap). Cue times are whole milliseconds, so
    SRT and WebVTT keep them exactly; min_duration is rounded up and max_duration down to whole ms.
    """
    _check_words(words)
    chunks = [chunk for run in _runs(words) for chunk in _split_run(run, rules)]
    return [
        Cue(start, end, _layout_lines([_display(w) for w in chunk], rules), chunk[0].speaker, tuple(chunk))
        for chunk, (start, end) in zip(chunks, _timings(chunks, rules, until), strict=True)
    ]


def _check_words(words: Sequence[TimedWord]) -> None:
    previous_start = 0.0
    for index, word in enumerate(words):
        if not _display(word):
            raise ValueError(f"word {index} has no text")
        if not (math.isfinite(word.start) and math.isfinite(word.end) and 0 <= word.start <= word.end):
            raise ValueError(f"word {index} ({word.text!r}) has invalid times {word.start} to {word.end}")
        if word.start < previous_start:
            raise ValueError(f"word {index} ({word.text!r}) starts before the word before it")
        previous_start = word.start


def _display(word: TimedWord) -> str:
    # Whitespace inside one timed word ("New\nYork") would break SRT/VTT blocks and let a line break
    # split the word: keep it as one unit with no-break spaces.
    return "\u00a0".join(word.text.split())


def _runs(words: Sequence[TimedWord]) -> list[list[TimedWord]]:
    """Consecutive words of one speaker in one block: a cue never crosses these boundaries."""
    return [list(run) for _, run in itertools.groupby(words, key=lambda w: (w.speaker, w.block))]


def _split_run(run: list[TimedWord], rules: CueRules) -> list[list[TimedWord]]:
    chunks = []
    start = 0
    while start < len(run):
        end = _chunk_end(run, start, rules)
        chunks.append(run[start:end])
        start = end
    return chunks


def _chunk_end(run: list[TimedWord], start: int, rules: CueRules) -> int:
    """Where the cue starting at `start` ends: at most what fits, preferably after punctuation."""
    longest = start + 1
    while longest < len(run) and _fits(run[start : longest + 1], rules):
        longest += 1
    if longest == len(run):
        return longest
    # Punctuation wins only if the cue keeps at least half of what would fit, so cues don't flash by.
    enough = len(_joined(run[start:longest])) / 2
    for marks in (_SENTENCE_END, _CLAUSE_END):
        for end in range(longest, start, -1):
            if _ends_with(run[end - 1].text, marks) and len(_joined(run[start:end])) >= enough:
                return end
    # Don't leave a lone word to fill the next cue when one more can go along with it.
    if longest == len(run) - 1 and longest - start >= 2:
        return longest - 1
    return longest


def _fits(chunk: list[TimedWord], rules: CueRules) -> bool:
    duration_ok = chunk[-1].end - chunk[0].start <= rules.max_duration
    return duration_ok and _min_line_count([_display(w) for w in chunk], rules) <= rules.max_lines


def _min_line_count(texts: list[str], rules: CueRules) -> int:
    """Greedy filling uses the fewest lines; a word longer than a line gets a line of its own."""
    lines, width = 0, 0
    for text in texts:
        if width and width + 1 + len(text) <= rules.max_chars_per_line:
            width += 1 + len(text)
        else:
            lines, width = lines + 1, len(text)
    return lines


def _joined(words: Sequence[TimedWord]) -> str:
    return " ".join(_display(w) for w in words)


def _ends_with(text: str, marks: tuple[str, ...]) -> bool:
    return text.rstrip(_CLOSERS).endswith(marks)


def _layout_lines(texts: list[str], rules: CueRules) -> tuple[str, ...]:
    """Break a cue's words into its fewest lines, choosing among the valid breaks by, in order:
    no lone word on the last line, breaks after sentence then clause punctuation, balanced lengths."""
    count = _min_line_count(texts, rules)
    n = len(texts)

    def width(a: int, b: int) -> int:
        return sum(len(t) for t in texts[a:b]) + (b - a - 1)

    def fits_line(a: int, b: int) -> bool:
        return b - a == 1 or width(a, b) <= rules.max_chars_per_line

    def break_rank(after: int) -> int:
        text = texts[after - 1]
        return 0 if _ends_with(text, _SENTENCE_END) else 1 if _ends_with(text, _CLAUSE_END) else 2

    @cache
    def best(a: int, lines: int) -> tuple[tuple[int, int, int], tuple[int, ...]] | None:
        """Cheapest (cost, break positions) for words a.. in exactly `lines` lines, or None."""
        if lines == 1:
            if fits_line(a, n):
                return (int(count > 1 and n - a == 1), 0, width(a, n) ** 2), ()
            return None
        options = []
        for b in range(a + 1, n):
            rest = best(b, lines - 1) if fits_line(a, b) else None
            if rest:
                (lone, ranks, squares), breaks = rest
                options.append(((lone, ranks + break_rank(b), squares + width(a, b) ** 2), (b, *breaks)))
        return min(options, default=None)

    found = best(0, count)
    assert found is not None  # greedy filling proved a layout with `count` lines exists
    bounds = (0, *found[1], n)
    return tuple(" ".join(texts[a:b]) for a, b in itertools.pairwise(bounds))


def _timings(chunks: list[list[TimedWord]], rules: CueRules, until: float | None) -> list[tuple[float, float]]:
    """Start/end of each cue in whole ms: from its first word, lengthened to min_duration into the
    silence after it, cut to max_duration, never past the next cue's start, never empty."""
    firsts = [_ceil_ms(chunk[0].start) for chunk in chunks]
    # Whole ms that honour both bounds: the minimum rounded up, the maximum down.
    min_ms, max_ms = _ceil_ms(rules.min_duration), math.floor(rules.max_duration * 1000 + 1e-6)
    timings = []
    previous_end = 0
    for index, chunk in enumerate(chunks):
        # Only differs from the first word's start when earlier words had no duration at all.
        start = max(firsts[index], previous_end)
        end = min(max(_ms(chunk[-1].end), start + min_ms), start + max_ms)
        if index + 1 < len(chunks):
            end = min(end, firsts[index + 1])
        elif until is not None:
            end = min(end, max(_ms(until), _ms(chunk[-1].end)))
        end = max(end, start + 1)
        timings.append((start / 1000, end / 1000))
        previous_end = end
    return timings


def _ceil_ms(seconds: float) -> int:
    # The small slack keeps float noise (1.0000000002) from pushing a start a whole ms later.
    return math.ceil(seconds * 1000 - 1e-6)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


# --- SRT, WebVTT, JSON -----------------------------------------------------------------------------------


def to_srt(cues: Sequence[Cue]) -> str:
    """SRT with "Speaker: " before a cue's first line whenever the speaker changes (and on the first cue)."""
    subtitles = []
    previous_speaker = None
    for index, cue in enumerate(cues, start=1):
        lines = list(cue.lines)
        if cue.speaker and cue.speaker != previous_speaker:
            lines[0] = f"{cue.speaker}: {lines[0]}"
        previous_speaker = cue.speaker
        subtitles.append(
            srt.Subtitle(
                index,
                datetime.timedelta(milliseconds=_ms(cue.start)),
                datetime.timedelta(milliseconds=_ms(cue.end)),
                "\n".join(lines),
            )
        )
    return srt.compose(subtitles)


def to_vtt(cues: Sequence[Cue]) -> str:
    """WebVTT with each cue in a `<v Speaker>` voice span."""
    captions = [
        webvtt.Caption(
            _vtt_timestamp(cue.start),
            _vtt_timestamp(cue.end),
            f"<v {_vtt_escape(cue.speaker)}>{_vtt_escape(cue.text)}</v>" if cue.speaker else _vtt_escape(cue.text),
        )
        for cue in cues
    ]
    return webvtt.WebVTT(captions=captions).content


def _vtt_timestamp(seconds: float) -> str:
    hours, rest = divmod(_ms(seconds), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_json(words: Sequence[TimedWord], cues: Sequence[Cue] | None = None) -> dict:
    """Word-level captions for players and integrators: blocks with their words, and the cues."""
    if cues is None:
        cues = build_cues(words)
    blocks = []
    for (block, speaker), group in itertools.groupby(words, key=lambda w: (w.block, w.speaker)):
        block_words = list(group)
        blocks.append(
            {
                "index": block,
                "speaker": speaker,
                "text": _joined(block_words),
                "start": _round(block_words[0].start),
                "end": _round(block_words[-1].end),
                "words": [{"text": w.text, "start": _round(w.start), "end": _round(w.end)} for w in block_words],
            }
        )
    return {
        "blocks": blocks,
        "cues": [{"start": _round(c.start), "end": _round(c.end), "text": c.text, "speaker": c.speaker} for c in cues],
    }


def _round(seconds: float) -> float:
    return round(seconds, 3)


# --- ASS (burned-in captions) ----------------------------------------------------------------------------


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
        f"Dialogue: 0,{_ass_time(start)},{_ass_time(end)},Default,{cue.speaker.replace(',', ' ')},0,0,0,," + text
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
        # Lines join words with plain spaces and a word never holds one (see _display).
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


def _ass_time(centiseconds: int) -> str:
    hours, rest = divmod(centiseconds, 360_000)
    minutes, rest = divmod(rest, 6_000)
    return f"{hours}:{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}"


def _cs(seconds: float) -> int:
    return round(seconds * 100)


_HEX_COLOR = re.compile(r"#([0-9A-Fa-f]{2})([0-9A-Fa-f]{2})([0-9A-Fa-f]{2})")


def _ass_bgr(hex_color: str) -> str:
    """The "BBGGRR" of an ASS colour from "#RRGGBB"."""
    match = _HEX_COLOR.fullmatch(hex_color)
    if not match:
        raise ValueError(f"colour must look like #RRGGBB, not {hex_color!r}")
    red, green, blue = match.groups()
    return f"{blue}{green}{red}".upper()


def _ass_color(hex_color: str) -> str:
    return f"&H00{_ass_bgr(hex_color)}"  # style colours are &HAABBGGRR, alpha 00 = opaque
