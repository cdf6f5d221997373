"""The pronunciation dictionary applied to the text a voice says: whole words, any case, longest phrase first,
the written words kept for captions. No Django needed."""

import pytest

from mediakit.speech.cache import unit_key
from mediakit.text.lexicon import PHONEMES, Lexicon, phonemes_of, said_as
from mediakit.text.normalize import normalize

LEXICON = Lexicon.of(
    [("Acme", "Ack-mee"), ("Acme Cloud", "Ack-mee Clowd"), ("SQL", "sequel"), ("3M", "three em"), ("São", "sow")]
)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Welcome to Acme.", "Welcome to Ack-mee."),
        ("welcome to ACME", "welcome to Ack-mee"),  # any case
        ("Acme Cloud is live", "Ack-mee Clowd is live"),  # the longest phrase wins
        ("acme   cloud", "Ack-mee Clowd"),  # however the phrase is spaced
        ("Acme's plan", "Ack-mee's plan"),  # a possessive stays on the word
        ("(Acme), “Acme”!", "Ack-mee, Ack-mee!"),
        ("Acme-based tools", "Ack-mee based tools"),
        ("Acmes and Macme", "Acmes and Macme"),  # whole words only
        ("We use SQL daily", "We use sequel daily"),
        ("3M costs $5", "three em costs five dollars"),  # before the rules that would read a number
        ("São Paulo", "sow Paulo"),
    ],
)
def test_entries_are_said_for_whole_words_in_any_case(written, spoken):
    assert normalize(written, lexicon=LEXICON).spoken_text == spoken


def test_captions_keep_the_written_words():
    normalized = normalize("Try Acme Cloud today.", lexicon=LEXICON)
    assert [token.original for token in normalized.tokens] == ["Try", "Acme", "Cloud", "today."]
    assert [token.spoken for token in normalized.tokens] == [("Try",), ("Ack-mee", "Clowd"), (), ("today",)]
    assert normalized.original_text == "Try Acme Cloud today."


def test_spelling_acronyms_out_leaves_entries_alone():
    assert normalize("SQL and API", another_way=True, lexicon=LEXICON).spoken_text == "sequel and A P I"


def test_a_later_entry_replaces_one_written_the_same_way_and_blank_entries_are_left_out():
    lexicon = Lexicon.of([("acme", "Ack-mee"), ("ACME", "Ak-mi"), ("  ", "x"), ("Vibe", " ")])
    assert lexicon.entries == (("ACME", "Ak-mi"),)
    assert not Lexicon() and normalize("Acme", lexicon=Lexicon()).spoken_text == "Acme"


def test_entries_with_regex_characters_match_literally():
    lexicon = Lexicon.of([("C++", "see plus plus"), ("a.b", "ay bee")])
    assert normalize("C++ and axb and a.b", lexicon=lexicon).spoken_text == "see plus plus and axb and ay bee"


def test_a_respelling_changes_the_speech_cache_key():
    plain = unit_key("piper", "joe", {}, "en", "Acme")
    assert unit_key("piper", "joe", {}, "en", "Acme", "Ack-mee") != plain
    assert unit_key("piper", "joe", {}, "en", "Acme", "Ak-mi") != unit_key("piper", "joe", {}, "en", "Acme", "Ack-mee")


def test_phonemes_are_said_as_one_raw_block_and_captions_keep_the_written_word():
    lexicon = Lexicon.of([("Acme", said_as("ˈæk mi", PHONEMES)), ("SQL", said_as("sequel"))])
    normalized = normalize("Acme's SQL rocks.", lexicon=lexicon)
    assert normalized.spoken_text == "[[ ˈæk mi ]]'s sequel rocks."
    assert [token.original for token in normalized.tokens] == ["Acme's", "SQL", "rocks."]


def test_an_engine_without_phoneme_input_keeps_only_the_respellings():
    lexicon = Lexicon.of([("Acme", said_as("ˈækmi", PHONEMES)), ("SQL", "sequel")])
    assert lexicon.respellings().entries == (("SQL", "sequel"),)
    assert normalize("Acme SQL", lexicon=lexicon.respellings()).spoken_text == "Acme sequel"
    assert phonemes_of(lexicon.entries[0][1]) == "ˈækmi" and phonemes_of("sequel") == ""
