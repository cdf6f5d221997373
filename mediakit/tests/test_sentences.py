# ruff: noqa: RUF001  (full-width punctuation in Japanese text)
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediakit.text.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "chunks"),
    [
        ("Hello there. How are you?", ["Hello there.", "How are you?"]),
        ("Dr. Smith is here. He waits.", ["Dr. Smith is here.", "He waits."]),
        ("Fruit, e.g. apples. Yes!", ["Fruit, e.g. apples.", "Yes!"]),
        ("The U.S. Army won. Then", ["The U.S. Army won.", "Then"]),
        ("It is 3.5 km long. Go now.", ["It is 3.5 km long.", "Go now."]),
        ("At 9 a.m. we met. Ok.", ["At 9 a.m. we met.", "Ok."]),
        ('He said "stop." She left.', ['He said "stop."', "She left."]),
        ("No stop here", ["No stop here"]),
        ("", []),
    ],
)
def test_it_splits_at_sentence_boundaries(text: str, chunks: list[str]) -> None:
    assert split_sentences(text, max_chars=20) == chunks


def test_it_packs_short_sentences_together() -> None:
    text = "One. Two. Three. Four."
    assert split_sentences(text, max_chars=10) == ["One. Two.", "Three.", "Four."]
    assert split_sentences(text) == [text]


def test_a_long_sentence_breaks_at_commas_then_spaces() -> None:
    text = "First part here, second part here; and a very long third part without commas at all."
    chunks = split_sentences(text, max_chars=30)
    assert chunks[:2] == ["First part here,", "second part here;"]
    assert all(len(chunk) <= 30 for chunk in chunks)
    assert " ".join(chunks) == text


def test_a_word_longer_than_the_limit_stays_whole() -> None:
    assert split_sentences("a " + "x" * 50 + " b", max_chars=10) == ["a", "x" * 50, "b"]


@given(st.text(alphabet=st.sampled_from('ab .,;!?\n"()Dr3'), max_size=200), st.integers(1, 60))
def test_chunks_join_back_to_the_text(text: str, max_chars: int) -> None:
    chunks = split_sentences(text, max_chars)
    assert " ".join(chunks) == " ".join(text.split())
    assert all(chunk and (len(chunk) <= max_chars or " " not in chunk) for chunk in chunks)


def test_japanese_written_without_spaces_is_cut_after_its_full_stops():
    text = "今日は晴れです。明日は雨です！「本当？」と彼は言った。"
    assert split_sentences(text, 12) == ["今日は晴れです。", "明日は雨です！", "「本当？」と彼は言った。"]
    assert split_sentences(text, 240) == ["今日は晴れです。 明日は雨です！ 「本当？」と彼は言った。"]
    assert split_sentences("오늘은 맑습니다. 내일은 비가 옵니다.", 12) == ["오늘은 맑습니다.", "내일은 비가 옵니다."]
