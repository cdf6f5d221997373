"""Whether a take of a unit passes: its word error rate within the unit's budget, and every must-hear word heard.

A listener forgives a slip in a long sentence, not in "Hi." or in a name: a unit of a few words has no error
budget, and the words that carry the message (numbers, names, brand words, acronyms, the workspace's
pronunciations) must be heard exactly, after folding ("Café" heard as "Cafe" is right, "Acme" as "acne" is not).
"""

import re
from dataclasses import dataclass

from mediakit.speech.align import BY_CHARACTER, word_error_rate
from mediakit.text.comparable import comparable_forms, comparable_words
from mediakit.text.lexicon import Lexicon
from mediakit.text.normalize import Normalized, language_code
from mediakit.text.punctuation import CLOSERS, OPENERS
from mediakit.text.rules import bare

_ACRONYM = re.compile(r"[A-Z]{2,}s?")
_PRONOUN_I = re.compile(r"I(?:['\u2019](?:m|ll|d|ve))?")  # capitalised everywhere, yet no name
_ENDS_SENTENCE = re.compile(rf"[.!?…][{re.escape(CLOSERS)}]* $")  # the text before a token ends a sentence
_JOINED = 3  # heard words written apart ("Acme Co" / "acmeco") match one meant word, as in the error rate


@dataclass(frozen=True)
class Verdict:
    score: float  # the word error rate against the closest meant text
    passed: bool
    missed: tuple[tuple[str, str], ...]  # must-hear words not heard: (as written, what was heard in its place)


def must_hear(normalized: Normalized, lexicon: Lexicon | None = None) -> list[int]:
    """Indexes of the tokens that must be heard exactly: numbers, acronyms, capitalised words not starting a
    sentence, and words the lexicon says another way (a token said by the one before it goes with that one)."""
    joined = normalized.original_text
    chosen, begin = [], 0
    for index, token in enumerate(normalized.tokens):
        word = bare(token.original)
        if token.spoken and word:
            opens_sentence = index == 0 or _ENDS_SENTENCE.search(joined[:begin]) is not None
            start = begin + len(token.original) - len(token.original.lstrip(OPENERS))
            pronounced = bool(lexicon and lexicon.match(joined, start))
            if pronounced or _carries_meaning(word, opens_sentence):
                chosen.append(index)
        begin += len(token.original) + 1
    return chosen


def _carries_meaning(word: str, opens_sentence: bool) -> bool:
    """A number, an acronym, or a name (capitalised where a sentence does not start)."""
    return (
        any(char.isdigit() for char in word)
        or bool(_ACRONYM.fullmatch(word))
        or (word[0].isupper() and not opens_sentence and not _PRONOUN_I.fullmatch(word))
    )


def judge(
    meant: list[Normalized],
    transcript: str,
    *,
    language: str = "en",
    max_error_rate: float,
    short_unit_words: int = 0,
    lexicon: Lexicon | None = None,
    strict_words: bool = True,
) -> Verdict:
    """The verdict on a take heard as `transcript`; `meant` holds the ways the unit may be said (as this take
    said it, with and without pronunciations), all with the same written tokens. A unit of at most
    `short_unit_words` words may have no error at all; with `strict_words`, every must-hear word must be heard."""
    score = min(word_error_rate(normalized.spoken_text, transcript, language) for normalized in meant)
    words = comparable_words(transcript, language)
    heard = _joined(words)
    # A token of a language without spaces is a whole clause: the character error rate is its measure.
    strict_words = strict_words and language_code(language) not in BY_CHARACTER
    missing = [
        index
        for index in (must_hear(meant[0], lexicon) if strict_words else [])
        if not any(_heard(_words_of(normalized, index), heard) for normalized in meant)
    ]
    forms = comparable_forms(meant[0])
    counterparts = _counterparts([word for word, _, _ in forms], words) if missing else []
    missed = tuple(
        dict.fromkeys(  # a word missed twice is named once
            (
                bare(meant[0].tokens[index].original),
                " ".join(
                    heard_word
                    for position, (_, first, last) in enumerate(forms)
                    if first <= index <= last
                    for heard_word in counterparts[position]
                ),
            )
            for index in missing
        )
    )
    budget = error_budget(meant[0], max_error_rate, short_unit_words, language)
    return Verdict(score, score <= budget and not missed, missed)


def error_budget(normalized: Normalized, max_error_rate: float, short_unit_words: int, language: str = "en") -> float:
    """The error rate a unit may have: none for a short one ("Hi.", "Call us today."; in a language compared
    by character, a unit of at most twice as many characters: "はい。", "감사합니다")."""
    forms = comparable_forms(normalized)
    if language_code(language) in BY_CHARACTER:
        return 0.0 if sum(len(word) for word, _, _ in forms) <= 2 * short_unit_words else max_error_rate
    return 0.0 if len(forms) <= short_unit_words else max_error_rate


def _joined(words: list[str]) -> set[str]:
    """The transcript's comparable words, with runs of up to three written together."""
    return {"".join(words[start : start + length]) for length in range(1, _JOINED + 1) for start in range(len(words))}


def _words_of(normalized: Normalized, index: int) -> list[str]:
    """The comparable words the token at `index` is said as (with a number's other tokens)."""
    return [word for word, first, last in comparable_forms(normalized) if first <= index <= last]


def _heard(words: list[str], heard: set[str]) -> bool:
    return bool(words) and ("".join(words) in heard or all(word in heard for word in words))


def _counterparts(meant: list[str], heard: list[str]) -> list[list[str]]:
    """For each meant word, the heard words said in its place (none when it was left out), by the alignment
    with the fewest substitutions, deletions and insertions."""
    costs = [list(range(len(heard) + 1))]
    for row in range(1, len(meant) + 1):
        costs.append([row])
        for column in range(1, len(heard) + 1):
            substitution = costs[row - 1][column - 1] + (meant[row - 1] != heard[column - 1])
            costs[row].append(min(substitution, costs[row - 1][column] + 1, costs[row][column - 1] + 1))
    places: list[list[str]] = [[] for _ in meant]
    row, column = len(meant), len(heard)
    while row and column:
        if costs[row][column] == costs[row - 1][column - 1] + (meant[row - 1] != heard[column - 1]):
            row, column = row - 1, column - 1
            places[row].insert(0, heard[column])
        elif costs[row][column] == costs[row - 1][column] + 1:
            row -= 1
        else:
            column -= 1
            places[row - 1].insert(0, heard[column])  # an extra word heard, given to the word before
    return places
