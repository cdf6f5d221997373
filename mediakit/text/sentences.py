"""Script text cut into units of speech: whole sentences, packed up to a length."""

import re

from mediakit.text.punctuation import CLOSERS, OPENERS, SENTENCE_END


def split_sentences(text: str, max_chars: int = 300) -> list[str]:
    """Chunks of whole sentences up to max_chars; an over-long sentence breaks at commas, then at spaces.

    `" ".join(chunks)` gives back the text with its whitespace normalised, except that text written without
    spaces (Japanese) is cut after its full stops ("…です。 次は…"). A single word longer than max_chars
    stays whole.
    """
    pieces: list[str] = []
    sentence: list[str] = []
    for word in (piece for token in text.split() for piece in _UNSPACED_SENTENCE.findall(token)):
        sentence.append(word)
        if _ends_sentence(word):
            pieces.extend(_break_long_sentence(sentence, max_chars))
            sentence = []
    if sentence:
        pieces.extend(_break_long_sentence(sentence, max_chars))
    return _pack(pieces, max_chars)


# Sentences of a word written without spaces: each up to a full-width full stop, exclamation or question mark
# that more text follows (not one a closing quote follows: a Japanese quotation goes on with と after it).
_UNSPACED_SENTENCE = re.compile("(?:.*?[\u3002\uff01\uff1f](?=[^\u300d\u300f\uff09\u3002\uff01\uff1f]))|.+")

# A full stop after these is not the end of a sentence.
_NO_SENTENCE_END = {"st.", "no.", "fig.", "vol.", "vs."} | {
    written.lower() for written in ("Dr.", "Mr.", "Mrs.", "Ms.", "Prof.", "Jr.", "Sr.", "Mt.", "Inc.", "Ltd.",
                                    "Co.", "Corp.", "etc.", "approx.", "dept.")
}  # fmt: skip
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")  # U.S., e.g., a.m., the J. of J. R. R. Tolkien


def _ends_sentence(word: str) -> bool:
    bare = word.rstrip(CLOSERS).lstrip(OPENERS)
    if not bare.endswith(SENTENCE_END):
        return False
    return not bare.endswith(".") or not (bare.lower() in _NO_SENTENCE_END or _INITIALS.fullmatch(bare))


def _break_long_sentence(words: list[str], max_chars: int) -> list[str]:
    sentence = " ".join(words)
    if len(sentence) <= max_chars:
        return [sentence]
    clauses: list[list[str]] = [[]]
    for word in words:
        clauses[-1].append(word)
        if word.rstrip(CLOSERS).endswith((",", ";", ":")):
            clauses.append([])
    pieces: list[str] = []
    for clause in filter(None, clauses):
        pieces.extend(_pack(clause, max_chars))  # a clause that is still too long breaks at spaces
    return _pack(pieces, max_chars)


def _pack(pieces: list[str], max_chars: int) -> list[str]:
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + 1 + len(piece) <= max_chars:
            chunks[-1] += " " + piece
        else:
            chunks.append(piece)
    return chunks
