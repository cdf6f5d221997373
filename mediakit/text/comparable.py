"""The comparable form of a text: the words a recogniser would write for it, for word error rates and alignment."""

import re

from mediakit.text.normalize import Normalized, normalize


def comparable_words(text: str, language: str = "en") -> list[str]:
    """Words to compare a script with a transcript: "$5" and "five dollars" both give ["five", "dollars"]."""
    return [word for word, _, _ in comparable_forms(normalize(text, language))]


_NOT_IN_WORDS = re.compile(r"[^\w'\u0300-\u036f]+|_")
_LETTER = re.compile(r"[^\W\d_](?:'s)?")


def comparable_forms(normalized: Normalized) -> list[tuple[str, int, int]]:
    """(word, first token, last token) for each comparable word of the spoken text, in order.

    Words are lower-cased without punctuation; "twenty-one" is two words, "it's" one. Letters said one by
    one ("A P I", "P M", "U S") become one word, as a recogniser writes them ("API"), so a word may span
    tokens.
    """
    forms: list[tuple[str, int, int]] = []
    letters: list[tuple[str, int]] = []  # the run of single letters being gathered, with their tokens
    for index, token in enumerate(normalized.tokens):
        words = [
            word.strip("'")
            for spoken in token.spoken
            for word in _NOT_IN_WORDS.sub(" ", spoken.lower().replace("\u2019", "'")).split()
        ]
        # Lone letters in a row of tokens ("P M") join up; a spelled acronym ("A P I") stays on its own.
        if letters and not (len(words) == 1 and letters[-1][1] == index - 1 and _lone_letter(letters)):
            forms.append(_spelled(letters))
            letters = []
        for word in words:
            if _LETTER.fullmatch(word):
                letters.append((word.replace("'", ""), index))
                continue
            if letters:
                forms.append(_spelled(letters))
                letters = []
            if word:
                forms.append((word, index, index))
    return [*forms, _spelled(letters)] if letters else forms


def _lone_letter(letters: list[tuple[str, int]]) -> bool:
    """Whether the last letter gathered was its token's only word."""
    return len(letters) == 1 or letters[-2][1] != letters[-1][1]


def _spelled(letters: list[tuple[str, int]]) -> tuple[str, int, int]:
    return "".join(letter for letter, _ in letters), letters[0][1], letters[-1][1]
