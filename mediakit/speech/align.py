"""What was heard against what was meant: word timings for captions and the verify stage's error rate.

Pure Python: no Django. Both sides are compared through `comparable_forms`, so the recogniser's "$5" matches
the script's "five dollars". Every original token of the script gets a `TimedWord` with its text as written:

- a token matched to heard words takes their times;
- a token that swallowed the next ones when normalised ("$5 million", "March 3rd, 2024") shares its time
  with them in proportion to their written length;
- a token with nothing heard is placed between its timed neighbours, in proportion to its spoken length;
- a token with nothing to say and no letters or digits (an emoji, a lone dash) gets a zero-length time
  where the previous word ends.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher

from mediakit.speech.words import TimedWord
from mediakit.text.comparable import comparable_forms, comparable_words
from mediakit.text.normalize import Normalized, Token, language_code, normalize

Span = tuple[float, float]


@dataclass(frozen=True)
class HeardWord:
    text: str  # as the recogniser gave it: leading space, attached punctuation, digits (" $5", ".50")
    start: float  # seconds from the start of the block's audio
    end: float


def align_words(
    normalized: Normalized,
    heard: list[HeardWord],
    *,
    duration: float,
    offset: float = 0.0,
    speaker: str = "",
    block: int = 0,
) -> list[TimedWord]:
    """One TimedWord per original token, in order, non-overlapping, within [offset, offset + duration]."""
    duration = max(duration, 0.0)
    tokens = normalized.tokens
    phrases = _phrases(tokens)
    phrase_of = {member: number for number, phrase in enumerate(phrases) for member in phrase}
    meant = comparable_forms(normalized)
    heard_words, heard_spans = _heard_forms(heard, duration)

    word_spans: list[Span | None] = [None] * len(meant)
    matcher = SequenceMatcher(None, [word for word, _, _ in meant], heard_words, autojunk=False)
    for tag, meant_from, meant_to, heard_from, heard_to in matcher.get_opcodes():
        if tag == "equal":
            word_spans[meant_from:meant_to] = heard_spans[heard_from:heard_to]
        elif tag == "replace":  # a misheard word ("kilometres" as "kilometers") still marks when it was said
            span = (heard_spans[heard_from][0], heard_spans[heard_to - 1][1])
            lengths = [len(word) for word, _, _ in meant[meant_from:meant_to]]
            word_spans[meant_from:meant_to] = _share(span, lengths)

    phrase_spans: list[Span | None] = [None] * len(phrases)
    for (_, first, _), span in zip(meant, word_spans, strict=True):
        if span is not None:
            number = phrase_of[first]
            known = phrase_spans[number]
            phrase_spans[number] = span if known is None else (min(known[0], span[0]), max(known[1], span[1]))
    spoken_lengths = [len(" ".join(tokens[phrase[0]].spoken)) for phrase in phrases]
    filled = _fill_gaps(phrase_spans, spoken_lengths, duration)

    token_spans: list[Span] = []
    for phrase, span in zip(phrases, filled, strict=True):
        token_spans.extend(_share(span, [len(tokens[member].original) for member in phrase]))
    return _on_the_clock(tokens, token_spans, offset, duration, speaker, block)


# Languages compared by character (a character error rate): Japanese has no spaces, and Korean spaces vary.
BY_CHARACTER = frozenset({"ja", "ko", "zh"})


def word_error_rate(reference: str, hypothesis: str, language: str = "en") -> float:
    """Word-level edit distance over the reference's length, on comparable words ("$5" == "five dollars");
    by character for the BY_CHARACTER languages.

    Words written together or apart are the same words ("sign-ups", "signups", "sign ups"). 0.0 when both
    are empty; 1.0 when only the reference is empty (everything heard is wrong).
    """
    meant, heard = comparable_words(reference, language), comparable_words(hypothesis, language)
    if language_code(language) in BY_CHARACTER:  # no spaces to count words by: characters, spaces aside
        meant, heard = list("".join(meant)), list("".join(heard))
    if not meant:
        return 1.0 if heard else 0.0
    return word_errors(meant, heard) / len(meant)


_JOINED = 3  # at most this many words written apart match one written together


def word_errors(meant: list[str], heard: list[str]) -> int:
    """Substitutions, deletions and insertions that turn `meant` into `heard`; a run of up to three words on
    one side that reads as one word on the other ("sign ups" / "signups") costs nothing."""
    costs = [list(range(len(heard) + 1))]
    for row in range(1, len(meant) + 1):
        current = [row]
        for column in range(1, len(heard) + 1):
            best = min(
                costs[row - 1][column] + 1,
                current[column - 1] + 1,
                costs[row - 1][column - 1] + (meant[row - 1] != heard[column - 1]),
            )
            for apart in range(2, min(_JOINED, max(row, column)) + 1):
                if row >= apart and "".join(meant[row - apart : row]) == heard[column - 1]:
                    best = min(best, costs[row - apart][column - 1])
                if column >= apart and "".join(heard[column - apart : column]) == meant[row - 1]:
                    best = min(best, costs[row - 1][column - apart])
            current.append(best)
        costs.append(current)
    return costs[-1][-1]


def _phrases(tokens: tuple[Token, ...]) -> list[list[int]]:
    """Token indexes grouped as said: a token with the tokens it swallowed ("$5" + "million")."""
    phrases: list[list[int]] = []
    for index, token in enumerate(tokens):
        swallowed = not token.spoken and any(char.isalnum() for char in token.original)
        if swallowed and phrases:
            phrases[-1].append(index)
        else:
            phrases.append([index])
    return phrases


def _heard_forms(heard: list[HeardWord], duration: float) -> tuple[list[str], list[Span]]:
    """The transcript's comparable words, each with the time of the heard words it came from.

    The heard texts are joined as the recogniser wrote them (" $5" + ".50" is " $5.50") and normalised as
    one text, so a word split by the recogniser reads as one.
    """
    transcript = ""
    pieces: list[tuple[int, int, Span]] = []  # characters of the transcript, and when they were heard
    for word in heard:
        start = min(max(word.start, 0.0), duration)
        end = min(max(word.end, start), duration)
        pieces.append((len(transcript), len(transcript) + len(word.text), (start, end)))
        transcript += word.text
    token_spans: list[Span] = []
    position = 0
    for written in transcript.split():
        begin = transcript.index(written, position)
        position = begin + len(written)
        times = [span for first, last, span in pieces if first < position and last > begin]
        token_spans.append((min(start for start, _ in times), max(end for _, end in times)))
    normalized = normalize(transcript)
    for phrase in _phrases(normalized.tokens):  # "$5 million": the words of "$5" last until "million" ends
        members = token_spans[phrase[0] : phrase[-1] + 1]
        span = (min(start for start, _ in members), max(end for _, end in members))
        token_spans[phrase[0] : phrase[-1] + 1] = [span] * len(phrase)
    words, spans = [], []
    for word, first, last in comparable_forms(normalized):
        words.append(word)
        spans.append((token_spans[first][0], token_spans[last][1]))
    # A token read as several words ("$5" -> five dollars) shares its time among them.
    shared: list[Span] = []
    index = 0
    while index < len(spans):
        same = index
        while same < len(spans) and spans[same] == spans[index]:
            same += 1
        shared.extend(_share(spans[index], [len(word) for word in words[index:same]]))
        index = same
    return words, shared


def _share(span: Span, weights: list[int]) -> list[Span]:
    """Split a span into consecutive spans in proportion to the weights (all zero: equal shares)."""
    start, end = span
    total = sum(weights)
    if not total:
        weights, total = [1] * len(weights), len(weights)
    shares: list[Span] = []
    done = 0
    for weight in weights:
        shares.append((start + (end - start) * done / total, start + (end - start) * (done + weight) / total))
        done += weight
    return shares


def _fill_gaps(spans: list[Span | None], weights: list[int], duration: float) -> list[Span]:
    """Give untimed phrases the time between their timed neighbours, in proportion to their weights."""
    filled: list[Span] = []
    index = 0
    while index < len(spans):
        span = spans[index]
        if span is not None:
            filled.append(span)
            index += 1
            continue
        gap_end = index
        while gap_end < len(spans) and spans[gap_end] is None:
            gap_end += 1
        left = filled[-1][1] if filled else 0.0
        following = spans[gap_end] if gap_end < len(spans) else None
        right = max(following[0] if following else duration, left)
        gap_weights = weights[index:gap_end]
        if not any(gap_weights):  # nothing to say here (emoji): zero-length, where the previous word ends
            filled.extend((left, left) for _ in gap_weights)
        else:
            filled.extend(_share((left, right), gap_weights))
        index = gap_end
    return filled


def _on_the_clock(
    tokens: tuple[Token, ...], spans: list[Span], offset: float, duration: float, speaker: str, block: int
) -> list[TimedWord]:
    """Shift to the narration's clock, clamped inside the block and never running backwards."""
    limit = offset + duration
    cursor = offset
    timed: list[TimedWord] = []
    for token, (start, end) in zip(tokens, spans, strict=True):
        start = min(max(offset + start, cursor), limit)
        end = min(max(offset + end, start), limit)
        timed.append(TimedWord(text=token.original, start=start, end=end, speaker=speaker, block=block))
        cursor = end
    return timed
