"""Comparable words: a script and a transcript that say the same thing compare equal, a real mistake does not."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from num2words import num2words

from mediakit.speech.align import word_error_rate
from mediakit.text.comparable import comparable_words, fold


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("$5", ["5", "dollars"]),
        ("five dollars", ["5", "dollars"]),
        ("It's twenty-one.", ["it", "is", "21"]),
        ("It\u2019s 21!", ["it", "is", "21"]),  # typographic apostrophe
        ("3:30 p.m.", ["3", "30", "pm"]),
        ("three thirty P M", ["3", "30", "pm"]),
        ("the U.S. and the US", ["the", "us", "and", "the", "us"]),
        ("'Quoted' (words)", ["quoted", "words"]),
        ("I ❤️ it", ["i", "it"]),
        ("$5-$10", ["5", "to", "10", "dollars"]),
        ("call 555-1234", ["call", "5", "5", "5", "1", "2", "3", "4"]),
        ("Café in São Paulo, naïve", ["cafe", "in", "sao", "paulo", "naive"]),
        ("the \ufb01nal \u201coffer\u201d \u2014 \u00e6on", ["the", "final", "offer", "aeon"]),
        ("1,200 or twelve hundred or one thousand two hundred", ["1200", "or", "1200", "or", "1200"]),
        ("a hundred and one, 101", ["101", "101"]),
        ("in 2024, in two thousand twenty-four", ["in", "2024", "in", "2024"]),
        ("nineteen oh five", ["1905"]),
        ("1.5 million", ["1500000"]),
        ("one two three", ["1", "2", "3"]),
        ("Don't, can't, won't, we're, I'm", ["do", "not", "can", "not", "will", "not", "we", "are", "i", "am"]),
        ("it's been, Maria's car, you'd better", ["it", "has", "been", "maria's", "car", "you", "had", "better"]),
        ("", []),
    ],
)
def test_comparable_words_match_script_and_transcript(text: str, words: list[str]) -> None:
    assert comparable_words(text) == words


def test_a_transcript_compares_equal_to_its_script() -> None:
    script = "It costs $5.50, and the train leaves at 3:30 pm on March 3rd."
    transcript = " It costs five dollars and fifty cents and the train leaves at 330pm on March 3rd."
    assert comparable_words(script) == comparable_words(transcript)


def test_fold_drops_accents_ligatures_and_typographic_marks() -> None:
    assert fold("Ça, São \ufb01nal\u2019s Straße Øre") == "ca, sao final's strasse ore"


# A piece of script and the ways a recogniser may write it when it heard it right.
SAID_ALIKE = [
    ("Café", ["Cafe", "cafe", "CAFE"]),
    ("São Paulo", ["Sao Paulo", "sao paulo"]),
    ("naïve", ["naive"]),
    ("façade", ["facade"]),
    ("Zoë", ["Zoe"]),
    ("\ufb01nal", ["final"]),
    ("\u201coffer\u201d", ['"offer"', "offer"]),
    ("\u2014", ["-", ""]),
    ("1,200", ["twelve hundred", "one thousand two hundred", "1200", "one thousand, two hundred"]),
    ("101", ["a hundred and one", "one hundred one", "one hundred and one"]),
    ("in 2024", ["in twenty twenty-four", "in two thousand twenty four", "in two thousand and twenty-four"]),
    ("3rd", ["third"]),
    ("50%", ["fifty percent", "50 percent"]),
    ("sign-ups", ["signups", "sign ups", "Sign-ups"]),
    ("e-mail", ["email", "e mail"]),
    ("API", ["A P I", "a.p.i.", "api", "A.P.I."]),
    ("FBI", ["F.B.I.", "F B I"]),
    ("it's", ["it is", "It's", "it\u2019s"]),
    ("don't", ["do not"]),
    ("can't", ["cannot", "can not"]),
    ("we're", ["we are"]),
    ("isn't", ["is not"]),
    ("I'm", ["I am"]),
    ("let's", ["let us"]),
]
PLAIN = ["owners", "told", "approach", "failed", "market", "grew", "team", "launch", "price", "users", "story"]
_said_alike = st.sampled_from(SAID_ALIKE).flatmap(lambda pair: st.tuples(st.just(pair[0]), st.sampled_from(pair[1])))
_plain = st.sampled_from(PLAIN).map(lambda word: (word, word))
# A plain word after each piece: two numbers in a row are ambiguous even to a listener ("1,200 12": 1212?).
_piece = st.one_of(st.tuples(_said_alike, _plain), st.tuples(_plain)).map(lambda pair: list(pair))


@given(st.lists(_piece, min_size=1, max_size=12), st.sampled_from(["", ".", "!", "?"]))
def test_a_transcript_equal_to_the_text_but_for_its_form_scores_zero(pieces, end) -> None:
    pieces = [piece for pair in pieces for piece in pair]
    text = " ".join(written for written, _ in pieces) + end
    transcript = " ".join(heard for _, heard in pieces)
    assert word_error_rate(text, transcript) == 0.0, (text, transcript)


@given(st.lists(_piece, min_size=1, max_size=12), st.data())
def test_a_transcript_with_a_real_word_changed_scores_more_than_zero(pieces, data) -> None:
    pieces = [piece for pair in pieces for piece in pair]
    changed = data.draw(st.sampled_from([index for index, (written, _) in enumerate(pieces) if written in PLAIN]))
    other = data.draw(st.sampled_from([word for word in PLAIN if word != pieces[changed][0]]))
    text = " ".join(written for written, _ in pieces)
    transcript = " ".join(other if index == changed else heard for index, (_, heard) in enumerate(pieces))
    assert word_error_rate(text, transcript) > 0.0, (text, transcript)


@given(st.integers(min_value=0, max_value=999_999_999))
def test_a_number_in_digits_and_in_words_compare_equal(number: int) -> None:
    words = num2words(number)
    assert word_error_rate(f"{number:,}", words) == 0.0
    assert word_error_rate(f"{number}", words.replace(" and ", " ")) == 0.0


@given(st.integers(min_value=1100, max_value=2099))
def test_a_year_said_in_pairs_or_in_full_compares_equal(year: int) -> None:
    assert word_error_rate(f"Since {year}", f"since {num2words(year, to='year')}") == 0.0
    assert word_error_rate(f"Since {year}", f"since {num2words(year)}") == 0.0


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_a_different_number_is_a_mistake(number: int, other: int) -> None:
    if number != other:
        assert word_error_rate(f"We sold {number:,} units.", f"We sold {num2words(other)} units.") > 0.0
