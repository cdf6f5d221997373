"""A take's verdict: no error budget for short units, must-hear words heard exactly, nothing else stricter."""

from hypothesis import given
from hypothesis import strategies as st
from num2words import num2words

from mediakit.speech.judge import judge, must_hear
from mediakit.tests.test_comparable import _piece
from mediakit.text.lexicon import Lexicon
from mediakit.text.normalize import normalize

ACME = Lexicon.of([("Acme", "Ack-mee")])


def verdict(text: str, transcript: str, lexicon: Lexicon | None = None, **options):
    meant = [normalize(text, lexicon=lexicon)] + ([normalize(text)] if lexicon else [])
    return judge(meant, transcript, lexicon=lexicon, **{"max_error_rate": 0.2, "short_unit_words": 3} | options)


def test_a_short_unit_has_no_error_budget():
    assert not verdict("Hi.", " I").passed
    assert not verdict("Call us today!", "Call us to play.", max_error_rate=0.5).passed
    assert verdict("Hi.", " hi!").passed
    assert verdict("Call us today!", " call us today").passed


def test_a_long_unit_keeps_its_budget_for_ordinary_words():
    result = verdict("the team told us the approach failed last year", "the team told us the approach fell last year")
    assert result.passed and result.score > 0 and result.missed == ()


def test_a_must_hear_word_heard_wrong_fails_the_take_and_is_named():
    text = "Last year our customers at Acme told us the approach failed."
    result = verdict(text, "Last year our customers at acne told us the approach failed.", ACME)
    assert result.score <= 0.2 and not result.passed
    assert result.missed == (("Acme", "acne"),)


def test_a_pronounced_word_is_heard_as_written_or_as_respelled():
    text = "Last year our customers at Acme told us the approach failed."
    for heard in ["customers at Acme", "customers at ack mee", "customers at Ackmee"]:
        transcript = f"Last year our {heard} told us the approach failed."
        assert verdict(text, transcript, ACME).missed == (), heard


def test_names_numbers_and_acronyms_must_be_heard():
    text = "This week, Maria sold 1,200 seats through our API to the team."
    assert verdict(text, "This week, Maria sold twelve hundred seats through our A P I to the team.").passed
    heard = "This week, Marie sold thirteen hundred seats through our ADI to the team."
    result = verdict(text, heard, max_error_rate=1)
    assert result.missed == (("Maria", "marie"), ("1,200", "1300"), ("API", "adi"))
    assert verdict(text, "This week, sold seats through our API to the team.").missed == (("Maria", ""), ("1,200", ""))


def test_which_words_must_be_heard():
    text = "Welcome back. Our team at Acme shipped 3 features, and Vibe Studio got faster with the API."
    normalized = normalize(text, lexicon=ACME)
    chosen = [normalized.tokens[index].original for index in must_hear(normalized, ACME)]
    # "Welcome" and "Our" start sentences; "Acme" is in the lexicon and capitalised in the middle of one.
    assert chosen == ["Acme", "3", "Vibe", "Studio", "API."]
    normalized = normalize("Then I said I'm in, and I\u2019ll call Ivan.")
    assert [normalized.tokens[index].original for index in must_hear(normalized)] == ["Ivan."]


def test_without_strict_words_only_the_error_rate_counts():
    text = "Last year our customers at Acme told us the approach failed."
    assert verdict(text, "Last year our customers at acne told us the approach failed.", strict_words=False).passed


@given(st.lists(_piece, min_size=1, max_size=12), st.sampled_from(["", ".", "!", "?"]))
def test_a_transcript_equal_to_the_text_but_for_its_form_passes_with_nothing_missed(pieces, end) -> None:
    pieces = [piece for pair in pieces for piece in pair]
    text = "Then " + " ".join(written for written, _ in pieces) + end
    transcript = "then " + " ".join(heard for _, heard in pieces)
    result = verdict(text, transcript, max_error_rate=0.0)
    assert result.passed and result.missed == (), (text, transcript)


@given(st.integers(min_value=0, max_value=999_999), st.integers(min_value=0, max_value=999_999))
def test_a_number_heard_as_another_is_missed(number: int, other: int) -> None:
    result = verdict(f"We sold {number:,} units last year.", f"We sold {num2words(other)} units last year.")
    assert (result.missed == ((f"{number:,}", str(other)),)) == (number != other)


def test_a_number_read_another_way_on_a_retry_is_heard_either_way():
    text = "We sold 1,250 units last spring."
    meant = [normalize(text, another_way=True), normalize(text)]  # as the retry said it, and as first said
    for transcript in (" We sold twelve fifty units last spring.", " We sold 1,250 units last spring."):
        result = judge(meant, transcript, max_error_rate=0.2, short_unit_words=3)
        assert result.passed and result.score == 0 and result.missed == (), transcript
    wrong = judge(meant, " We sold twelve fifteen units last spring.", max_error_rate=0.2)
    assert not wrong.passed and [written for written, _ in wrong.missed] == ["1,250"]
