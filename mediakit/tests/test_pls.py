"""PLS files: lexemes read and written, hostile XML refused before it is expanded. No Django needed."""

import pytest

from mediakit.text.lexicon import PHONEMES, RESPELLING
from mediakit.text.pls import MAX_BYTES, Lexeme, PlsError, read_pls, write_pls

W3C_EXAMPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" alphabet="ipa" xml:lang="en-US">
  <lexeme>
    <grapheme>W3C</grapheme>
    <alias>World Wide Web Consortium</alias>
  </lexeme>
  <lexeme>
    <grapheme>Acme</grapheme><grapheme>ACME Inc</grapheme>
    <phoneme>\xcb\x88\xc3\xa6kmi</phoneme>
    <alias>Ack-mee</alias>
  </lexeme>
  <lexeme><grapheme>tomato</grapheme><phoneme>t\xc9\x99\xcb\x88me\xc9\xaato\xca\x8a</phoneme></lexeme>
</lexicon>
"""


def test_lexemes_are_read_with_every_grapheme_the_first_alias_and_the_first_ipa_phonemes():
    assert read_pls(W3C_EXAMPLE) == [
        Lexeme(("W3C",), "World Wide Web Consortium"),
        Lexeme(("Acme", "ACME Inc"), "Ack-mee", "ˈækmi"),
        Lexeme(("tomato",), "", "təˈmeɪtoʊ"),
    ]


def test_phonemes_in_another_alphabet_are_not_read():
    data = """<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="x-sampa">
      <lexeme><grapheme>tomato</grapheme><phoneme>t@"meItoU</phoneme></lexeme>
      <lexeme><grapheme>Acme</grapheme><phoneme alphabet="ipa">ˈækmi</phoneme></lexeme>
    </lexicon>""".encode()
    assert read_pls(data) == [Lexeme(("tomato",), ""), Lexeme(("Acme",), "", "ˈækmi")]


def test_what_is_written_reads_back_the_same():
    entries = [
        ("Acme", "Ack-mee", RESPELLING),
        ("R&D <lab>", "are and dee lab", RESPELLING),
        ("São", "sow", RESPELLING),
        ("Vibe", "vaɪb", PHONEMES),
    ]
    data = write_pls(entries)
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>") and b"pronunciation-lexicon" in data
    assert b"<phoneme>va\xc9\xaab</phoneme>" in data and b'alphabet="ipa"' in data
    assert read_pls(data) == [
        Lexeme((written,), *((spoken, "") if kind == RESPELLING else ("", spoken))) for written, spoken, kind in entries
    ]


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lexicon [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>
<lexicon><lexeme><grapheme>&c;</grapheme><alias>x</alias></lexeme></lexicon>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE lexicon [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<lexicon><lexeme><grapheme>&secret;</grapheme><alias>x</alias></lexeme></lexicon>"""
EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE lexicon SYSTEM "http://127.0.0.1:1/x.dtd"><lexicon/>'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (LAUGHS, "declares a DTD"),
        (EXTERNAL, "declares a DTD"),
        (EXTERNAL_DTD, "declares a DTD"),
        (LAUGHS.decode().encode("utf-16"), "declares a DTD"),  # however it is encoded
        (b"<lexicon><lexeme>", "not well-formed XML"),
        (b"\x89PNG\r\n", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (b"<speak><lexeme/></speak>", "its root is <speak>"),
        (b"<lexicon>" + b"<a>" * 10 + b"</a>" * 10 + b"</lexicon>", "nests elements too deeply"),
        (b"<lexicon>" + b" " * MAX_BYTES + b"</lexicon>", "larger than 512 KB"),
    ],
)
def test_hostile_or_foreign_files_are_refused_with_a_reason(data, message):
    with pytest.raises(PlsError, match=message):
        read_pls(data)
