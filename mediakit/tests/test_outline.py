import pytest

from mediakit.text.outline import OutlineError, check_filled, draft_outline, unfilled_parts
from mediakit.text.script import ScriptError, parse_text

WPM = 150


def outline(**changes):
    args = {"seconds": 60, "speakers": ["Host"], "platform": "shorts", "tone": "playful", "words_per_minute": WPM}
    return draft_outline("Cold brew at home", **{**args, **changes})


def test_an_outline_is_a_valid_script_timed_to_the_target_length():
    drafted = outline()
    blocks = parse_text(drafted.body)
    assert [block.speaker for block in blocks] == ["Host"] * 5
    parts = unfilled_parts(drafted.body)
    assert [part.split(",")[0] for part in parts] == ["Hook", "Point 1", "Point 2", "Point 3", "Call to action"]
    planned = sum(int(part.split("about ")[1].split(" words")[0]) for part in parts)
    assert abs(planned - 60 * WPM / 60) <= 3 and drafted.words == 150
    assert "Cold brew at home" in parts[0] and "first two seconds" in parts[0]


def test_speakers_take_turns():
    blocks = parse_text(outline(speakers=["Ana", " Ben "]).body)
    assert [block.speaker for block in blocks] == ["Ana", "Ben", "Ana", "Ben", "Ana"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"seconds": 0}, "between 5 seconds and 30 minutes"),
        ({"seconds": 3 * 3600}, "between 5 seconds and 30 minutes"),
        ({"platform": "myspace"}, "Choose a platform"),
        ({"speakers": ["A", "B", "C", "D", "E"]}, "at most four speakers"),
        ({"speakers": ["Host: me"]}, "cannot contain a colon"),
        ({"speakers": ["[Ana]"]}, "cannot contain a colon"),
    ],
)
def test_bad_requests_say_what_is_wrong(changes, message):
    with pytest.raises(OutlineError, match=message):
        outline(**changes)


def test_an_empty_topic_is_refused():
    with pytest.raises(OutlineError, match="Give a topic"):
        draft_outline("   ", seconds=30, speakers=[], platform="podcast", tone="", words_per_minute=WPM)


def test_a_filled_in_script_has_no_placeholders_left():
    assert unfilled_parts("Host: Cold brew takes twelve hours.\nGuest: [[Point 2, about 30 words: an example]]") == [
        "Point 2, about 30 words: an example"
    ]
    assert unfilled_parts("Host: Cold brew takes twelve hours.") == []


def test_rendering_waits_until_every_part_is_written():
    with pytest.raises(ScriptError, match=r"write the outline's 5 \[\[…\]\] part\(s\) first, starting with “Hook"):
        check_filled(parse_text(outline().body))
    check_filled(parse_text("Host: Cold brew takes twelve hours."))
