"""Normalise stage: script text made speakable, with the original kept for captions. Pure Python: no Django.

`normalize` keeps one `Token` per whitespace-separated token of the script, so captions can always show
what the creator wrote while the voice says `spoken_text` ("$5.50" -> "five dollars and fifty cents").

Each language is a `Language`: an ordered rule table tried at the start of every token, plus the symbols
said inside words and the prefixes said before the rest of a token ("~$5": about five dollars). A rule may
read ahead ("$5 million", "3:30 pm", "March 3rd, 2024"): the first token then carries all the spoken words
and the tokens it swallowed say nothing. A token no rule claims is read piece by piece (words, numbers,
known symbols; anything else, such as emoji, is dropped). An unknown language gets only that light cleanup.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import partial

from num2words import CONVERTER_CLASSES

from mediakit.text.east_asian import read as read_east_asian
from mediakit.text.english import ENGLISH
from mediakit.text.lexicon import Lexicon
from mediakit.text.numbers import say_number
from mediakit.text.punctuation import OPENERS
from mediakit.text.rules import SENTENCE_MARKS, TRAILING, Context, Language, bare

_RECENT = 4  # tokens a rule may look back on


@dataclass(frozen=True)
class Token:
    original: str  # one whitespace-separated token of the source text, as written (punctuation attached)
    spoken: tuple[str, ...]  # the words the voice says for it; empty for an emoji or a swallowed token
    punctuation: str = ""  # sentence punctuation after the spoken words, kept so the voice phrases sentences


@dataclass(frozen=True)
class Normalized:
    tokens: tuple[Token, ...]

    @property
    def spoken_text(self) -> str:
        words: list[str] = []
        for token in self.tokens:
            words.extend(token.spoken)
            if token.punctuation and words:
                # A silent token (an emoji before a full stop) still ends the sentence of the word before.
                words[-1] = words[-1].rstrip(SENTENCE_MARKS) + token.punctuation
        return " ".join(words)

    @property
    def original_text(self) -> str:
        return " ".join(token.original for token in self.tokens)


def normalize(
    text: str, language: str = "en", *, another_way: bool = False, lexicon: Lexicon | None = None
) -> Normalized:
    """The text's tokens with what the voice says for each; the workspace's `lexicon` comes before any rule.
    `another_way`: read acronyms and numbers as a retry does (rules.Context.another_way)."""
    rules = language_rules(language)
    joined = " ".join(text.split())
    originals = joined.split(" ") if joined else []
    if rules.reader is not None:
        entries = lexicon.entries if lexicon else ()
        return Normalized(
            tuple(Token(original, tuple(rules.reader(original, entries).split())) for original in originals)
        )
    starts = [0]
    for original in originals[:-1]:
        starts.append(starts[-1] + len(original) + 1)
    tokens: list[Token] = []
    index = 0
    while index < len(originals):
        original = originals[index]
        context = Context(
            previous=bare(originals[index - 1]).lower() if index else "",
            recent=tuple(bare(token).lower() for token in originals[max(0, index - _RECENT) : index]),
            following=originals[index + 1] if index + 1 < len(originals) else "",
            another_way=another_way,
        )
        begin = starts[index] + len(original) - len(original.lstrip(OPENERS))
        prefix = rules.prefixes.get(joined[begin : begin + 1], "")
        begin += bool(prefix)
        in_token = begin < starts[index] + len(original)  # a lone quote or bracket has nothing for the rules
        claimed = None
        if in_token and lexicon:
            claimed = _pronounce(lexicon, joined, begin, starts, originals, rules, another_way)
        if in_token and claimed is None:
            claimed = _apply_rules(rules, joined, begin, context)
        if claimed is None:
            tokens.append(_read_pieces(original, rules, another_way))
            index += 1
            continue
        words, end, tail = claimed
        words = [*prefix.split(), *words]
        last = bisect_right(starts, end - 1) - 1
        punctuation = "".join(mark for mark in tail if mark in SENTENCE_MARKS)
        if end == len(joined) and not punctuation and joined[end - len(tail) - 1] == ".":
            punctuation = "."  # "... on Elm St." ends the text: the abbreviation's dot ends the sentence too
        tokens.append(Token(original, tuple(words), punctuation))
        tokens.extend(Token(swallowed, ()) for swallowed in originals[index + 1 : last + 1])
        index = last + 1
    return Normalized(tuple(tokens))


# Names for messages ("… cannot speak Korean"); a tag not listed is named by its code.
LANGUAGE_NAMES = {
    "en": "English", "de": "German", "es": "Spanish", "fr": "French", "it": "Italian", "nl": "Dutch",
    "pl": "Polish", "pt": "Portuguese", "ja": "Japanese", "ko": "Korean", "zh": "Chinese",
}  # fmt: skip


def language_name(language: str) -> str:
    """A language's name for messages ("Korean" for "ko-KR"); the code itself for one not named here."""
    code = language_code(language)
    return LANGUAGE_NAMES.get(code, code)


def language_code(language: str) -> str:
    """The language of a tag, lower-cased: "en-US" and "en_GB" are "en"."""
    return language.lower().replace("_", "-").split("-")[0]


def language_rules(language: str) -> Language:
    """The rule table for a language code ("en", "en-US"); unknown languages get the light cleanup."""
    code = language_code(language)
    if code in LANGUAGES:
        return LANGUAGES[code]
    return Language(numbers=code if code in CONVERTER_CLASSES else None)


def _apply_rules(rules: Language, joined: str, begin: int, context: Context) -> tuple[list[str], int, str] | None:
    for candidate in rules.rules:
        match = candidate.pattern.match(joined, begin)
        if match and match.end() > begin:
            words = candidate.say(match, context)
            if words is not None:
                return words, match.end(), match.group("tail")
    return None


def _pronounce(
    lexicon: Lexicon,
    joined: str,
    begin: int,
    starts: list[int],
    originals: list[str],
    rules: Language,
    another_way: bool,
) -> tuple[list[str], int, str] | None:
    """A dictionary entry written at `begin`: its respelling, then the rest of the token it ends in ("Acme's":
    "Ack-mee's"; "Acme-based": "Ack-mee based"), up to the end of that token."""
    found = lexicon.match(joined, begin)
    if found is None:
        return None
    words, end = found
    last = bisect_right(starts, end - 1) - 1
    token_end = starts[last] + len(originals[last])
    rest = joined[end:token_end]
    if rest[:2].replace("\u2019", "'").lower() == "'s":  # a possessive stays on the respelled word
        words[-1] += "'s"
        rest = rest[2:]
    words.extend(_read_pieces(rest, rules, another_way).spoken)
    return words, token_end, rest[len(rest.rstrip(TRAILING)) :]


_PIECE = re.compile(
    r"(?P<word>[^\W\d_](?:[^\W\d_]|[\u0300-\u036f]|['\u2019-](?=[^\W\d_]))*)"  # it's, twenty-one, café
    r"|(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<other>.)",
    re.S,
)


def has_speech(text: str) -> bool:
    """Whether a voice would say anything for the text in any language: a word or a number. Emoji and
    punctuation alone are never read."""
    return any(piece.group("word") or piece.group("number") for piece in _PIECE.finditer(text))


def _read_pieces(original: str, rules: Language, another_way: bool) -> Token:
    words: list[str] = []
    for piece in _PIECE.finditer(original):
        if piece.group("word"):
            words.extend(_say_word(piece.group("word"), another_way))
        elif piece.group("number"):
            words.extend(say_number(piece.group("number"), rules.numbers) if rules.numbers else [piece[0]])
        elif piece[0] in rules.symbols:
            words.extend(rules.symbols[piece[0]].split())
        # Anything else (emoji, quotes, brackets, stray marks) is not said.
    trailing = original[len(original.rstrip(TRAILING)) :]
    return Token(original, tuple(words), "".join(mark for mark in trailing if mark in SENTENCE_MARKS))


_ACRONYM = re.compile(r"(?P<letters>[A-Z]{2,5})(?P<plural>s?)")


def _say_word(word: str, another_way: bool) -> list[str]:
    acronym = _ACRONYM.fullmatch(word) if another_way else None
    if not acronym:
        return [word]
    letters = list(acronym.group("letters"))
    if acronym.group("plural"):
        letters[-1] += "'s"  # "GPUs" -> "G P U's"
    return letters


LANGUAGES: dict[str, Language] = {
    "en": ENGLISH,
    "ko": Language(numbers="ko", reader=partial(read_east_asian, code="ko")),
    "ja": Language(numbers="ja", reader=partial(read_east_asian, code="ja")),
}
