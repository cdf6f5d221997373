"""What a language's reading rules are made of; `normalize` applies them, `english` is one.

A rule is a pattern tried at the start of a token and a function saying the match in words; a rule may read
ahead into the following tokens ("$5 million"). See normalize.py for how the rules are applied.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from mediakit.text.punctuation import CLOSERS, OPENERS

SENTENCE_MARKS = ".,;:!?"
# What may end a token after the words: sentence marks, then closing quotes and brackets.
TRAILING = ".,;:!?…" + CLOSERS
# What may follow a rule's match inside the same token; the boundary keeps rules from ending mid-word.
_TAIL = "(?P<tail>[" + re.escape(TRAILING) + "]*)(?= |$)"


@dataclass(frozen=True)
class Context:
    """What a rule may need beyond its own match."""

    previous: str  # the previous token, lower-cased, without punctuation ("in" before "1999")
    recent: tuple[str, ...]  # the few tokens before, like `previous` ("call", "us", "at" before "555-1234")
    following: str  # the next token as written ("Louis" after "St.")
    # A retry's other reading, for a line heard wrong: acronyms spelled out ("A P I"), four-digit numbers
    # read in pairs ("twelve fifty" for 1,250).
    another_way: bool


Say = Callable[[re.Match[str], Context], list[str] | None]  # None: the rule does not apply here after all


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    say: Say


def rule(pattern: str, say: Say, flags: int = 0) -> Rule:
    return Rule(re.compile(f"(?:{pattern}){_TAIL}", flags), say)


@dataclass(frozen=True)
class Language:
    rules: tuple[Rule, ...] = ()
    symbols: Mapping[str, str] = field(default_factory=dict)  # said when met inside a word: "&" -> "and"
    # Said before the rest of a token, which the rules then read: "~$5" -> "about" + "five dollars".
    prefixes: Mapping[str, str] = field(default_factory=dict)
    numbers: str | None = None  # num2words language for digits left to the light cleanup
    # For languages whose numbers sit inside words (Japanese has no spaces; Korean glues "1,500원입니다"):
    # reads a whole token, replacing what the language's table knows anywhere in it, instead of the rules;
    # given the pronunciation dictionary's (written, spoken) entries, said anywhere in the token too.
    reader: Callable[[str, tuple[tuple[str, str], ...]], str] | None = None


def bare(token: str) -> str:
    """A token without the quotes, brackets and punctuation around it."""
    return token.strip(OPENERS + TRAILING)
