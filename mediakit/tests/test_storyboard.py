"""Storyboard: scenes from word timings (property-tested), keywords, and strict JSON for user edits."""

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediakit.speech.words import TimedWord
from mediakit.text.script import Block
from mediakit.video.storyboard import (
    Brand,
    Scene,
    Storyboard,
    StoryboardError,
    brand_background,
    build_storyboard,
    extract_keywords,
    merge_scenes,
    split_scene,
)


@st.composite
def narrations(draw):
    """Blocks of words, each word up to 1 s long with gaps up to 1 s, some ending sentences."""
    block_count = draw(st.integers(1, 4))
    words, clock = [], 0.0
    for block in range(block_count):
        for _ in range(draw(st.integers(1, 60))):
            clock += draw(st.floats(0.0, 0.5))
            length = draw(st.floats(0.05, 1.0))
            text = draw(st.sampled_from(["video", "render.", "fast,", "captions", "music!", "word"]))
            words.append(TimedWord(text, round(clock, 3), round(clock + length, 3), f"S{block}", block))
            clock += length
        clock += draw(st.floats(0.0, 1.0))
    blocks = [Block(f"S{i}", "text") for i in range(block_count)]
    return blocks, words, round(clock + 0.01, 3)


@settings(max_examples=150, deadline=None)
@given(narrations())
def test_scenes_are_contiguous_cover_the_narration_and_last_2_to_8_s_where_words_allow(narration):
    blocks, words, duration = narration
    board = build_storyboard(blocks, words, duration, brand=Brand())
    scenes = board.scenes
    assert scenes[0].start == 0 and scenes[-1].end == duration
    assert all(a.end == b.start for a, b in itertools.pairwise(scenes))
    assert {s.block for s in scenes} == {w.block for w in words}  # at least one scene per block
    for block in {s.block for s in scenes}:
        own = [s for s in scenes if s.block == block]
        span = own[-1].end - own[0].start
        if len(own) > 1:  # a split block: every part within 2-8 s (gaps between words are < 2 s here)
            assert all(2.0 - 1e-6 <= s.duration <= 8.0 + 1e-6 for s in own), [s.duration for s in own]
        else:
            assert span <= 8.0 + 1e-6 or span < 2.0
    assert Storyboard.from_json(board.to_json()) == board


def test_long_blocks_split_at_sentence_ends():
    words, clock = [], 0.0
    for text in [
        "One",
        "two",
        "three",
        "four",
        "five",
        "six.",
        "Seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve.",
        "Thirteen",
        "fourteen",
        "end.",
    ]:
        words.append(TimedWord(text, clock, clock + 0.6, "Host", 0))
        clock += 0.7
    board = build_storyboard([Block("Host", "x")], words, clock)
    cuts = [s.start for s in board.scenes[1:]]
    assert cuts == [words[6].start]  # after "six.": 4.2 s and 6.3 s, both within 2-8 s


def test_keywords_skip_stopwords_and_rank_by_count_then_length():
    assert extract_keywords(["The", "render", "is", "fast.", "The", "Render", "wins", "captions!"]) == [
        "render",
        "captions",
        "fast",
    ]


def good_json() -> dict:
    words = [TimedWord("hello", 0.1, 0.5, "Host", 0), TimedWord("world", 3.0, 3.5, "Guest", 1)]
    return json.loads(build_storyboard([Block("Host", "a"), Block("Guest", "b")], words, 4.0).to_json())


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["scenes"][1]["background"].update(colors=["red", "#000000"]), "scene 2: background.colors"),
        (lambda d: d["scenes"][0]["background"].update(kind="plasma"), "scene 1: background.kind"),
        (lambda d: d["scenes"][1].update(start=2.5), "scene 2: start must equal the end of scene 1"),
        (lambda d: d["scenes"][1].update(end=3.9), "scene 2: end must equal the duration"),
        (lambda d: d["scenes"][0].update(zoom="yes"), "scene 1: zoom"),
        (lambda d: d["scenes"][0].update(sparkle=True), "scene 1: unknown field(s) sparkle"),
        (lambda d: d["scenes"][0].update(background={"kind": "image"}), "scene 1: background.path is required"),
        (lambda d: d["scenes"][1].update(title=7), "scene 2: title"),
        (lambda d: d["scenes"][0].update(start="0"), "scene 1: start must be a number"),
        (lambda d: d.update(scenes=[]), "scenes must be a non-empty list"),
    ],
)
def test_bad_storyboard_json_is_refused_naming_scene_and_field(edit, message):
    data = good_json()
    edit(data)
    with pytest.raises(StoryboardError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Storyboard.from_json(json.dumps(data))


def test_invalid_json_text_is_refused():
    with pytest.raises(StoryboardError, match="not valid JSON"):
        Storyboard.from_json("{scenes: ")


def test_default_scenes_take_six_moving_looks_from_the_brand_in_turn():
    brand = Brand(primary="#1e293b", secondary="#7c3aed")
    looks = [brand_background(brand, index) for index in range(7)]
    assert looks[0].colors == ("#1e293b", "#7c3aed") and looks[6] == looks[0]
    assert len({look.look for look in looks[:6]}) == 6 and len({look.colors for look in looks[:6]}) == 6
    assert [look.kind for look in looks] == ["motion"] * 7


def test_still_looks_without_motion_and_with_zoom():
    brand = Brand(primary="#1e293b", secondary="#7c3aed", motion=False)
    looks = [brand_background(brand, index) for index in range(7)]
    assert looks[6] == looks[0] and len(set(looks[:6])) == 6
    assert [look.kind for look in looks] == ["gradient"] * 7
    words = [TimedWord("word", 0.2, 0.5, "Host", 0)]
    zoomed = build_storyboard([Block("Host", "x")], words, 3.0, zoom=True)
    assert zoomed.scenes[0].background.kind == "gradient" and zoomed.scenes[0].zoom


def test_a_motion_background_needs_a_known_look():
    data = json.loads(build_storyboard([Block("Host", "x")], [TimedWord("word", 0.2, 0.5, "Host", 0)], 3.0).to_json())
    assert Storyboard.from_json(data).scenes[0].background.look == "drift"
    data["scenes"][0]["background"]["look"] = "lava"
    with pytest.raises(StoryboardError, match="look must be one of drift"):
        Storyboard.from_json(data)


def test_still_colours():
    solid = [brand_background(Brand(gradient=False, motion=False), index) for index in range(6)]
    assert len({look.colors for look in solid}) == 6 and all(look.kind == "color" for look in solid)


# --- editing: split and merge at word boundaries ---------------------------------------------------------

SPOKEN = [("Calm", 0.1), ("ocean", 0.5), ("waves.", 1.0), ("Snowy", 2.2), ("peaks", 2.7), ("rise.", 3.1)]


def two_scenes() -> Storyboard:
    return Storyboard(
        duration=4.0,
        scenes=(
            Scene(0.0, 2.0, 0, "Host", keywords=("calm", "ocean", "waves"), title="Sea"),
            Scene(2.0, 4.0, 1, "Host", keywords=("snowy", "peaks", "rise")),
        ),
    )


def test_a_scene_splits_where_a_word_starts_each_half_with_its_own_keywords():
    board = split_scene(two_scenes(), 1, 1.0, SPOKEN)
    first, second, third = board.scenes
    assert (first.start, first.end, second.start, second.end, third.start) == (0.0, 1.0, 1.0, 2.0, 2.0)
    assert first.keywords == ("ocean", "calm") and second.keywords == ("waves",)
    assert first.title == "Sea" and second.title is None and Storyboard.from_json(board.to_json()) == board


@pytest.mark.parametrize("at", [0.0, 0.7, 2.2])  # the scene's own start, inside a word, the next scene's word
def test_a_split_anywhere_else_is_refused(at):
    with pytest.raises(StoryboardError, match="scene 1: split where one of its words starts"):
        split_scene(two_scenes(), 1, at, SPOKEN)


def test_merging_joins_a_scene_and_the_next_keeping_the_first_ones_look():
    (merged,) = merge_scenes(two_scenes(), 1, SPOKEN).scenes
    assert (merged.start, merged.end, merged.block, merged.title) == (0.0, 4.0, 0, "Sea")
    assert set(merged.keywords) <= {"calm", "ocean", "waves", "snowy", "peaks", "rise"} and len(merged.keywords) == 3
    with pytest.raises(StoryboardError, match="scene 2: the last scene has no next scene"):
        merge_scenes(two_scenes(), 2, SPOKEN)
