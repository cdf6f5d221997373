"""Pronunciation lexicons as W3C PLS 1.0 files (https://www.w3.org/TR/pronunciation-lexicon/). Pure Python.

We read and write `<lexeme>`s of `<grapheme>` (the written form) and `<alias>` (a respelling) or
`<phoneme>` (IPA: the lexicon's or the element's `alphabet` must be "ipa"; phonemes in another alphabet are
not read, and a lexeme with nothing else is reported as skipped). Uploaded XML is hostile: expat
is driven directly so that any DTD (and with it every entity, external or "billion laughs") is refused
before it is read, the size is bounded before parsing, and so is the depth.
"""

from dataclasses import dataclass
from xml.etree import ElementTree
from xml.parsers import expat

from mediakit.text.lexicon import PHONEMES

NAMESPACE = "http://www.w3.org/2005/01/pronunciation-lexicon"
MAX_BYTES = 512 * 1024
_MAX_DEPTH = 8  # lexicon > lexeme > grapheme/alias: anything deeper is not a lexicon


class PlsError(ValueError):
    """A file that is not a PLS lexicon we can read; the message says why."""


@dataclass(frozen=True)
class Lexeme:
    graphemes: tuple[str, ...]
    alias: str  # "" when the lexeme gives no alias
    phonemes: str = ""  # the first <phoneme> in IPA, "" when none


def read_pls(data: bytes) -> list[Lexeme]:
    """The file's lexemes, in order. Raises PlsError for a file too big, not XML, with a DTD, or not a lexicon."""
    if len(data) > MAX_BYTES:
        raise PlsError(f"The file is larger than {MAX_BYTES // 1024} KB.")
    reader = _Reader()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        reason = expat.errors.messages[error.code]
        raise PlsError(f"The file is not well-formed XML ({reason}, line {error.lineno}).") from None
    if not reader.seen_root:
        raise PlsError("The file has no <lexicon>.")
    return reader.lexemes


def write_pls(entries: list[tuple[str, str, str]], language: str = "en") -> bytes:
    """A PLS file with one lexeme per (written, spoken, kind) entry: a respelling as its <alias>, phonemes as
    its <phoneme> (IPA, the lexicon's alphabet)."""
    ElementTree.register_namespace("", NAMESPACE)
    root = ElementTree.Element(
        f"{{{NAMESPACE}}}lexicon",
        {"version": "1.0", "alphabet": "ipa", "{http://www.w3.org/XML/1998/namespace}lang": language},
    )
    for written, spoken, kind in entries:
        lexeme = ElementTree.SubElement(root, f"{{{NAMESPACE}}}lexeme")
        ElementTree.SubElement(lexeme, f"{{{NAMESPACE}}}grapheme").text = written
        element = "phoneme" if kind == PHONEMES else "alias"
        ElementTree.SubElement(lexeme, f"{{{NAMESPACE}}}{element}").text = spoken
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _refuse_dtd(*_: object) -> None:
    raise PlsError("The file declares a DTD or entities, which are not allowed.")


class _Reader:
    """Collects lexemes from expat's events; names arrive as "namespace local" (or just "local")."""

    def __init__(self) -> None:
        self.lexemes: list[Lexeme] = []
        self.seen_root = False
        self.path: list[str] = []
        self.graphemes: list[str] = []
        self.aliases: list[str] = []
        self.phonemes: list[str] = []
        self.alphabet = "ipa"  # the lexicon's; a <phoneme> may name its own
        self.ipa = True  # whether the <phoneme> being read is in IPA
        self.buffer: list[str] = []

    def start(self, name: str, attributes: dict) -> None:
        local = name.rpartition(" ")[2]
        if not self.path:
            if local != "lexicon":
                raise PlsError(f"The file is not a PLS lexicon: its root is <{local}>, not <lexicon>.")
            self.seen_root = True
            self.alphabet = attributes.get("alphabet", "ipa").strip().lower()
        if len(self.path) >= _MAX_DEPTH:
            raise PlsError("The file nests elements too deeply for a lexicon.")
        self.path.append(local)
        if self.path == ["lexicon", "lexeme"]:
            self.graphemes, self.aliases, self.phonemes = [], [], []
        if self.path == ["lexicon", "lexeme", "phoneme"]:
            self.ipa = attributes.get("alphabet", self.alphabet).strip().lower() == "ipa"
        self.buffer = []

    def end(self, _name: str) -> None:
        text = " ".join("".join(self.buffer).split())
        if self.path == ["lexicon", "lexeme", "grapheme"] and text:
            self.graphemes.append(text)
        elif self.path == ["lexicon", "lexeme", "alias"] and text:
            self.aliases.append(text)
        elif self.path == ["lexicon", "lexeme", "phoneme"] and text and self.ipa:
            self.phonemes.append(text)
        elif self.path == ["lexicon", "lexeme"] and self.graphemes:
            alias, phonemes = (self.aliases or [""])[0], (self.phonemes or [""])[0]
            self.lexemes.append(Lexeme(tuple(self.graphemes), alias, phonemes))
        self.path.pop()
        self.buffer = []

    def text(self, data: str) -> None:
        self.buffer.append(data)
