import pytest

from mediakit.text.comparable import comparable_words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("$5", ["five", "dollars"]),
        ("five dollars", ["five", "dollars"]),
        ("It's twenty-one.", ["it's", "twenty", "one"]),
        ("It\u2019s 21!", ["it's", "twenty", "one"]),  # typographic apostrophe
        ("3:30 p.m.", ["three", "thirty", "pm"]),
        ("three thirty PM", ["three", "thirty", "pm"]),
        ("three thirty P M", ["three", "thirty", "pm"]),
        ("the U.S. and the US", ["the", "us", "and", "the", "us"]),
        ("'Quoted' (words)", ["quoted", "words"]),
        ("I ❤️ it", ["i", "it"]),
        ("$5-$10", ["five", "to", "ten", "dollars"]),
        ("call 555-1234", ["call", "five", "five", "five", "one", "two", "three", "four"]),
        ("", []),
    ],
)
def test_comparable_words_match_script_and_transcript(text: str, words: list[str]) -> None:
    assert comparable_words(text) == words


def test_a_transcript_compares_equal_to_its_script() -> None:
    script = "It costs $5.50, and the train leaves at 3:30 pm on March 3rd."
    transcript = " It costs five dollars and fifty cents and the train leaves at 330pm on March 3rd."
    assert comparable_words(script) == comparable_words(transcript)
