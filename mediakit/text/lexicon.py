"""A pronunciation dictionary: written words or phrases said another way ("Acme" -> "Ack-mee"). Pure Python.

`normalize` asks the lexicon first at every token: an entry matches whole words, case-insensitively, the
longest phrase first, and the voice says its respelling while the tokens keep what was written, so captions
show "Acme". The caller (the worker, the CLI) builds one from plain pairs; mediakit never reads them itself.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field


def tidy(text: str) -> str:
    """Spaces collapsed, as `normalize` sees the script's text."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[tuple[str, str], ...] = ()  # (written, spoken), the longest written form first
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.entries:
            # Alternatives are tried in order: longest first, so "Acme Cloud" wins over "Acme".
            choices = "|".join(f"(?P<e{index}>{re.escape(written)})" for index, (written, _) in enumerate(self.entries))
            object.__setattr__(self, "_pattern", re.compile(rf"(?:{choices})(?!\w)", re.IGNORECASE))

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

    def match(self, text: str, begin: int) -> tuple[list[str], int] | None:
        """The spoken words of the entry written at `text[begin:]` and where it ends, or None.

        The entry must start at `begin` and end at a word's end: "Acme" matches "Acme," and "Acme's",
        never "Acmes"."""
        if self._pattern is None or (begin > 0 and text[begin - 1 : begin].isalnum()):
            return None
        found = self._pattern.match(text, begin)
        if found is None:
            return None
        _, spoken = self.entries[int(str(found.lastgroup)[1:])]
        return spoken.split(), found.end()
