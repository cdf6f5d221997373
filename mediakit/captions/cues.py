"""Captions: word timings grouped into cues, each laid out in a few readable lines.

The formats the cues are written in are in formats.py (SRT, WebVTT, JSON) and ass.py (burned-in video).
"""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from mediakit.captions.east_asian import split_unspaced, text_width
from mediakit.speech.words import TimedWord
from mediakit.text.punctuation import CLAUSE_END, SENTENCE_END, break_rank, ends_with


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
    line_sizes: tuple[int, ...] = ()  # how many of `words` each line holds

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def words_by_line(self) -> list[tuple[TimedWord, ...]]:
        bounds = list(itertools.accumulate(self.line_sizes, initial=0))
        return [self.words[a:b] for a, b in itertools.pairwise(bounds)]


def build_cues(words: Sequence[TimedWord], rules: CueRules = CueRules(), *, until: float | None = None) -> list[Cue]:
    """Group words into readable cues: one speaker and block each, within the line and duration rules.

    `until` is where the narration ends: the minimum duration never stretches the last cue past it.

    Words must have text, finite times with 0 <= start <= end, and starts in order. Overlaps between
    words are tolerated (cues are clipped so they never overlap). Cue times are whole milliseconds, so
    SRT and WebVTT keep them exactly; min_duration is rounded up and max_duration down to whole ms.
    """
    _check_words(words)
    words = split_unspaced(words)  # Japanese: a sentence is one word, cut where its lines may break
    chunks = [chunk for run in _runs(words) for chunk in _split_run(run, rules)]
    cues = []
    for chunk, (start, end) in zip(chunks, _timings(chunks, rules, until), strict=True):
        lines = _layout_lines(chunk, rules)
        sizes = tuple(len(line) for line in lines)
        cues.append(Cue(start, end, tuple(joined(line) for line in lines), chunk[0].speaker, tuple(chunk), sizes))
    return cues


def _check_words(words: Sequence[TimedWord]) -> None:
    previous_start = 0.0
    for index, word in enumerate(words):
        if not display(word):
            raise ValueError(f"word {index} has no text")
        if not (math.isfinite(word.start) and math.isfinite(word.end) and 0 <= word.start <= word.end):
            raise ValueError(f"word {index} ({word.text!r}) has invalid times {word.start} to {word.end}")
        if word.start < previous_start:
            raise ValueError(f"word {index} ({word.text!r}) starts before the word before it")
        previous_start = word.start


def display(word: TimedWord) -> str:
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
    enough = text_width(joined(run[start:longest])) / 2
    for marks in (SENTENCE_END, CLAUSE_END):
        for end in range(longest, start, -1):
            if ends_with(run[end - 1].text, marks) and text_width(joined(run[start:end])) >= enough:
                return end
    # Don't leave a lone word to fill the next cue when one more can go along with it.
    if longest == len(run) - 1 and longest - start >= 2:
        return longest - 1
    return longest


def _fits(chunk: list[TimedWord], rules: CueRules) -> bool:
    duration_ok = chunk[-1].end - chunk[0].start <= rules.max_duration
    return duration_ok and _min_line_count(chunk, rules) <= rules.max_lines


def _min_line_count(words: Sequence[TimedWord], rules: CueRules) -> int:
    """Greedy filling uses the fewest lines; a word longer than a line gets a line of its own."""
    lines, width = 0, 0
    for word in words:
        gap = 0 if word.glued else 1
        if width and width + gap + text_width(display(word)) <= rules.max_chars_per_line:
            width += gap + text_width(display(word))
        else:
            lines, width = lines + 1, text_width(display(word))
    return lines


def joined(words: Sequence[TimedWord]) -> str:
    """The words as one line: a space between them, none before a piece of a word written without spaces."""
    return "".join(("" if word.glued or index == 0 else " ") + display(word) for index, word in enumerate(words))


def _layout_lines(words: Sequence[TimedWord], rules: CueRules) -> tuple[Sequence[TimedWord], ...]:
    """Break a cue's words into its fewest lines, choosing among the valid breaks by, in order:
    no lone word on the last line, breaks after sentence then clause punctuation, balanced lengths."""
    count = _min_line_count(words, rules)
    texts = [display(word) for word in words]
    widths = [text_width(text) for text in texts]
    n = len(texts)

    def width(a: int, b: int) -> int:
        return sum(widths[a:b]) + sum(not word.glued for word in words[a + 1 : b])

    def fits_line(a: int, b: int) -> bool:
        return b - a == 1 or width(a, b) <= rules.max_chars_per_line

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
                options.append(((lone, ranks + break_rank(texts[b - 1]), squares + width(a, b) ** 2), (b, *breaks)))
        return min(options, default=None)

    found = best(0, count)
    assert found is not None  # greedy filling proved a layout with `count` lines exists
    bounds = (0, *found[1], n)
    return tuple(words[a:b] for a, b in itertools.pairwise(bounds))


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
        end = min(max(to_ms(chunk[-1].end), start + min_ms), start + max_ms)
        if index + 1 < len(chunks):
            end = min(end, firsts[index + 1])
        elif until is not None:
            end = min(end, max(to_ms(until), to_ms(chunk[-1].end)))
        end = max(end, start + 1)
        timings.append((start / 1000, end / 1000))
        previous_end = end
    return timings


def _ceil_ms(seconds: float) -> int:
    # The small slack keeps float noise (1.0000000002) from pushing a start a whole ms later.
    return math.ceil(seconds * 1000 - 1e-6)


def to_ms(seconds: float) -> int:
    return round(seconds * 1000)
