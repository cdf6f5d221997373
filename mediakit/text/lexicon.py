"""A pronunciation dictionary: written words or phrases said another way ("Acme" -> "Ack-mee"). Pure Python.

`normalize` asks the lexicon first at every token: an entry matches whole words, case-insensitively, the
longest phrase first, and the voice says its respelling while the tokens keep what was written, so captions
show "Acme". The caller (the worker, the CLI) builds one from plain pairs; mediakit never reads them itself.

An entry is a respelling ("Ack-mee") or phonemes (IPA, "ˈækmi"). Phonemes travel as Piper's raw-phoneme
input, `[[ ˈækmi ]]` (piper/voice.py hands such a block to the model as is, skipping espeak), kept as one
spoken word; engines that cannot read them get `respellings()`, and the word is said as written.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

RESPELLING, PHONEMES = "respelling", "phonemes"


def tidy(text: str) -> str:
    """Spaces collapsed, as `normalize` sees the script's text."""
    return " ".join(text.split())


def said_as(spoken: str, kind: str = RESPELLING) -> str:
    """What the voice is given for an entry: the respelling, or the phonemes in Piper's `[[ ... ]]` block."""
    return f"[[ {tidy(spoken)} ]]" if kind == PHONEMES else tidy(spoken)


def is_phonemes(said: str) -> bool:
    return said.startswith("[[") and said.endswith("]]")


def phonemes_of(said: str) -> str:
    """The bare phonemes of a `[[ ... ]]` block ("" for a respelling)."""
    return tidy(said[2:-2]) if is_phonemes(said) else ""


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[tuple[str, str], ...] = ()  # (written, spoken), the longest written form first
    # Entries by their first word, lower-cased: a token looks up only the entries that can start with it.
    _by_first_word: dict[str, re.Pattern[str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        groups: dict[str, list[str]] = {}
        for index, (written, _) in enumerate(self.entries):
            # Named by index, so a match tells which entry it was; longest first, so "Acme Cloud" beats "Acme".
            groups.setdefault(written.split(" ")[0].lower(), []).append(f"(?P<e{index}>{re.escape(written)})")
        for first_word, choices in groups.items():
            self._by_first_word[first_word] = re.compile(rf"(?:{'|'.join(choices)})(?!\w)", re.IGNORECASE)

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> "Lexicon":
        """A lexicon from (written, spoken) pairs; a later pair replaces an earlier one written the same way
        (any case), and pairs with nothing written or nothing to say are left out."""
        chosen: dict[str, tuple[str, str]] = {}
        for written, spoken in pairs:
            if tidy(written) and tidy(spoken):
                chosen[tidy(written).casefold()] = (tidy(written), tidy(spoken))
        return cls(tuple(sorted(chosen.values(), key=lambda pair: (-len(pair[0]), pair[0].casefold()))))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def respellings(self) -> "Lexicon":
        """The entries an engine without phoneme input can use: phoneme entries left out."""
        kept = tuple(entry for entry in self.entries if not is_phonemes(entry[1]))
        return self if len(kept) == len(self.entries) else Lexicon(kept)

    def match(self, text: str, begin: int) -> tuple[list[str], int] | None:
        """The spoken words of the entry written at `text[begin:]` (a token's start) and where it ends, or None.

        The entry must end at a word's end: "Acme" matches "Acme," and "Acme's", never "Acmes"."""
        token_end = text.find(" ", begin)
        token = text[begin : token_end if token_end >= 0 else len(text)].lower()
        for length in range(len(token), 0, -1):  # the longest first word first: "Acme's" before "Acme"
            pattern = self._by_first_word.get(token[:length])
            found = pattern.match(text, begin) if pattern else None
            if found:
                _, spoken = self.entries[int(str(found.lastgroup)[1:])]
                # A phoneme block stays one word: the voice needs its brackets together.
                return ([spoken] if is_phonemes(spoken) else spoken.split()), found.end()
        return None
