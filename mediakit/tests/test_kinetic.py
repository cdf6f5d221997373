"""Kinetic typography: the card a scene's text gets, and the ASS that animates it."""

import pytest

from mediakit.captions.ass import ass_bgr
from mediakit.speech.words import TimedWord
from mediakit.video.kinetic import Card, card_events, choose_card, storyboard_cards
from mediakit.video.overlays import caption_change_frames
from mediakit.video.storyboard import Scene, Storyboard


@pytest.mark.parametrize(
    ("text", "card"),
    [
        ("Sixty creators asked, and 66 % of them quit within a year.", Card("number", ("66 %", "of them quit"))),
        ("It costs $1,200 a month to run.", Card("number", ("$1,200", "a month to run"))),
        ("Growth was 3x last year.", Card("number", ("3x", "last year"))),
        ("Over 10,000 users signed up.", Card("number", ("10,000", "users signed up"))),
        ("Forty percent of viewers stay.", None),  # a figure in words is no number card: keywords instead
        (
            "First, write the script. Second, record it. Third, publish.",
            Card("list", ("write the script", "record it", "publish")),
        ),
        ("You need a camera, a microphone and a light.", Card("list", ("a camera", "a microphone", "a light"))),
        (
            "She told me \u201cnever give up on your dream\u201d last week.",
            Card("quote", ("never give up on your dream", "Host")),
        ),
        ("Today we look at how a script becomes a video.", Card("keyword", ("script",))),
    ],
)
def test_a_scene_text_chooses_its_card(text, card):
    chosen = choose_card(text, ["script", "video"], speaker="Host")
    if card is None:
        assert chosen == Card("keyword", ("script",))
    else:
        assert chosen == card


def test_a_dialogue_question_becomes_the_speakers_quote_and_plain_lines_keep_keywords():
    question = "So what changed? We looked at the numbers again and again."
    assert choose_card(question, ["numbers"], speaker="Guest", dialogue=True) == Card(
        "quote", ("So what changed?", "Guest")
    )
    plain = "We looked at the numbers again."
    assert choose_card(plain, ["numbers"], speaker="Guest", dialogue=True) == Card("keyword", ("numbers",))
    assert choose_card("   ", ["numbers"]) is None


def test_cards_animate_in_through_libass_tags():
    accent = ass_bgr("#FFD400")
    number = card_events(Card("number", ("66 %", "of them")), 1.0, 4.0, 1080, 1920, accent=accent, top=0.1)
    assert "\\fad(300,200)" in number[0] and "\\fscx40\\fscy40\\t(0,300,\\fscx100\\fscy100)" in number[0]
    assert f"\\1c&H{accent}&" in number[0] and number[0].endswith("66 %") and "of them" in number[1]
    items = card_events(Card("list", ("one", "two", "three")), 1.0, 4.0, 1080, 1920, accent=accent, top=0.1)
    assert len(items) == 3 and all("\\move(" in event for event in items)
    assert [event.split(",")[1] for event in items] == ["0:00:01.00", "0:00:01.60", "0:00:02.20"]  # one by one
    quote = card_events(Card("quote", ("Never stop", "Host")), 1.0, 4.0, 1080, 1920, accent=accent, top=0.1)
    assert ",Box," in quote[0] and "\u201cNever stop\u201d" in quote[0] and "\u2014 Host" in quote[0]


def test_still_pieces_get_frames_while_a_card_animates():
    event = card_events(Card("keyword", ("script",)), 1.0, 3.0, 360, 640, accent="FFFFFF", top=0.1)[0]
    frames = caption_change_frames(event + "\n", 30)
    assert frames[0] == 30 and frames[-1] == 90
    assert {30, 32, 34, 36, 38} <= set(frames)  # every other frame while it grows and fades in
    assert not set(range(45, 82)) & set(frames)  # nothing drawn again while it holds still
    assert {84, 86, 88} <= set(frames)  # and while it fades out


def test_scenes_with_a_title_or_too_short_get_no_card():
    scenes = (
        Scene(0.0, 3.0, 0, "Host", keywords=("script",)),
        Scene(3.0, 3.5, 0, "Host", keywords=("video",)),
        Scene(3.5, 7.0, 0, "Host", keywords=("title",), title="A title"),
        Scene(7.0, 10.0, 0, "Host", keywords=("money",)),
    )
    words = [
        TimedWord("Scripts", 0.2, 0.8, "Host", 0),
        TimedWord("It", 7.2, 7.4, "Host", 0),
        TimedWord("costs", 7.4, 7.7, "Host", 0),
        TimedWord("$1,200.", 7.8, 8.5, "Host", 0),
    ]
    cards = storyboard_cards(Storyboard(10.0, scenes), words)
    assert [(scene.start, card.kind) for scene, card in cards] == [(0.0, "keyword"), (7.0, "number")]
