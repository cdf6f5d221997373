"""The writer with a language model, both official SDKs against a local fake of their HTTP APIs."""

import re
import threading

import pytest

from mediakit.text.outline import OutlineError
from mediakit.text.script import ScriptError
from mediakit.writer.drafts import (
    DraftBrief,
    DraftRefused,
    SelectionError,
    block_lines,
    draft_prompt,
    read_topics,
    rewrite_block,
    rewrite_selection,
    write_draft,
)
from mediakit.writer.providers import ProviderConfig, ProviderError, Usage, WriterContext
from tests import fake_llm

GOOD = """# Cold brew in five minutes
Ana: Cold brew is not hot coffee left to cool. It is coffee that never met heat at all.
Ben: So what does that change for the taste, really?
[pause 0.5s]
Ana: Less bitterness, more sweetness, and it keeps for a week in the fridge.
Ben: Grind coarse, steep twelve hours, filter. Follow for the recipe card."""


@pytest.fixture
def fake():
    fake = fake_llm.FakeLLM()
    server = fake_llm.start(fake)
    yield fake
    server.shutdown()


@pytest.fixture(params=["openai", "anthropic"])
def provider(request, fake) -> ProviderConfig:
    base = f"{fake.url}/v1" if request.param == "openai" else fake.url
    return ProviderConfig(request.param, fake_llm.API_KEY, "test-model", base_url=base, timeout=5, max_retries=2)


def brief(**changes) -> DraftBrief:
    answers = {
        "platform": "shorts",
        "seconds": 30,
        "tone": "warm",
        "speakers": ["Ana", "Ben"],
        "language": "en",
        "words_per_minute": 150,
    } | changes
    return DraftBrief.checked(answers.pop("topic", "Cold brew"), **answers)


def test_a_draft_is_streamed_piece_by_piece_and_read_as_a_script(fake, provider):
    fake.reply(GOOD)
    pieces, usage = [], Usage()
    draft = write_draft(provider, brief(), usage, on_text=pieces.append)
    assert draft.title == "Cold brew in five minutes" and not draft.repaired
    assert [block.speaker for block in draft.blocks] == ["Ana", "Ben", "Ana", "Ben"]
    assert draft.blocks[1].pause_after == 0.5
    assert len(pieces) > 10 and "".join(pieces) == GOOD
    assert usage.output_tokens == len(GOOD.split()) and usage.input_tokens > 50


def test_the_prompt_carries_the_brief_and_the_campaigns_voice(fake, provider):
    fake.reply(GOOD)
    write_draft(
        provider, brief(brand_notes="Never say 'hack'.", examples=("Ana: Our last video.",), language="de"), Usage()
    )
    request = fake.requests[0]
    assert request["model"] == "test-model" and request["stream"] is True
    assert "Never say 'hack'." in fake.prompts[0] and "Ana: Our last video." in fake.prompts[0]
    assert "German" in fake.prompts[0] and "about 75 words" in fake.prompts[0]


def test_nonsense_is_sent_back_once_with_the_parsers_errors_and_the_repair_is_used(fake, provider):
    fake.reply("Sure! Here is your script:\n**Ana**: hi").reply(GOOD)
    retries = []
    draft = write_draft(provider, brief(), Usage(), on_retry=retries.append)
    assert draft.repaired and len(retries) == 1 and len(fake.requests) == 2
    assert "- line 1: Sure! Here is your script has nothing to say" in fake.prompts[1]


def test_nonsense_twice_is_refused_in_plain_words(fake, provider):
    fake.reply("I cannot help with that.")
    with pytest.raises(DraftRefused, match=r"not a script we can read, twice.*Nothing was saved"):
        write_draft(provider, brief(), Usage())


def test_speakers_outside_the_cast_and_placeholders_are_repaired(fake, provider):
    fake.reply(GOOD.replace("Ben:", "Narrator:")).reply(GOOD.replace("Ana:", "Ana: [[hook]]"))
    with pytest.raises(DraftRefused):
        write_draft(provider, brief(), Usage())
    assert "speakers Narrator are not in the cast (Ana, Ben)" in fake.prompts[1]


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [(401, "key", "refused our API key"), (429, "busy", "rate-limiting"), (500, "down", "server error (500)")],
)
def test_provider_errors_are_told_in_plain_words(fake, provider, status, kind, words):
    fake.fail(status)
    with pytest.raises(ProviderError, match=re.escape(words)) as raised:
        write_draft(provider, brief(), Usage())
    assert raised.value.kind == kind
    assert len(fake.requests) == (1 if status == 401 else 3)  # 429 and 5xx are retried by the SDK


def test_a_wrong_key_is_a_401(fake, provider):
    wrong = ProviderConfig(provider.name, "sk-wrong", "m", base_url=provider.base_url, max_retries=0)
    with pytest.raises(ProviderError, match="refused our API key"):
        write_draft(wrong, brief(), Usage())


def test_a_429_then_success_is_retried_by_the_sdk(fake, provider):
    fake.fail(429).reply(GOOD)
    assert write_draft(provider, brief(), Usage()).title == "Cold brew in five minutes"
    assert len(fake.requests) == 2


def test_a_model_that_stops_writing_is_a_timeout(fake, provider):
    fake.reply(GOOD)
    fake.hold = threading.Event()  # never set: the stream stops after its first piece
    stalled = ProviderConfig(provider.name, provider.api_key, "m", base_url=provider.base_url, timeout=1, max_retries=0)
    pieces = []
    with pytest.raises(ProviderError, match="did not answer in time") as raised:
        write_draft(stalled, brief(), Usage(), on_text=pieces.append)
    assert raised.value.kind == "timeout" and pieces == ["# Cold "]
    fake.hold.set()


def test_the_whole_answer_has_a_deadline_beyond_each_reads_timeout(fake, provider):
    fake.reply(GOOD)  # a server dripping pieces, each within the read timeout, is stopped all the same
    late = ProviderConfig(provider.name, provider.api_key, "m", base_url=provider.base_url, deadline=0.0)
    with pytest.raises(ProviderError, match="took longer than 0 s"):
        write_draft(late, brief(), Usage())


def test_an_unreachable_server_is_named():
    config = ProviderConfig("openai", "k", "m", base_url="http://127.0.0.1:9/v1", timeout=2, max_retries=0)
    with pytest.raises(ProviderError, match="could not be reached"):
        write_draft(config, brief(), Usage())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"topic": " "}, "Give a topic"),
        ({"seconds": 0}, "between 5 seconds"),
        ({"seconds": 10800}, "30 minutes"),
        ({"speakers": ["Host: me"]}, "cannot contain a colon"),
    ],
)
def test_a_bad_brief_is_refused_before_any_call(changes, message):
    with pytest.raises(OutlineError, match=message):
        brief(**changes)


def test_the_context_picks_the_named_provider_or_the_first():
    one, two = ProviderConfig("openai", "a", "m"), ProviderConfig("anthropic", "b", "m")
    context = WriterContext((one, two))
    assert context.provider("anthropic") is two and context.provider("") is one and context.provider("x") is one
    assert WriterContext().provider("openai") is None


def test_the_system_prompt_states_the_format():
    system, user = draft_prompt(brief())
    assert "Use only these speakers: Ana, Ben" in system and "Topic: Cold brew" in user


SCRIPT = "# notes\nAna: First line\nstill Ana.\n[pause 1s]\nBen: Second line.\nAna: Third."


def test_a_blocks_lines_include_its_continuation_and_leave_its_pause():
    start, end, _ = block_lines(SCRIPT, 1)
    assert SCRIPT.splitlines()[start:end] == ["Ana: First line", "still Ana."]
    with pytest.raises(ScriptError, match="no block 4"):
        block_lines(SCRIPT, 4)


def test_a_rewrite_replaces_one_block_and_shows_the_diff(fake, provider):
    fake.reply("Ana: First, and shorter.")
    rewrite = rewrite_block(provider, SCRIPT, 1, "shorten", Usage(), seconds=3)
    assert rewrite.script == "# notes\nAna: First, and shorter.\n[pause 1s]\nBen: Second line.\nAna: Third."
    assert ("del", "First line still Ana.") in rewrite.diff and ("ins", "First, and shorter.") in rewrite.diff
    assert "about 8 words (3 seconds spoken)" in fake.prompts[0]


def test_splitting_into_speakers_allows_the_cast(fake, provider):
    fake.reply("Ana: First line.\nBen: Still Ana? No, me.")
    rewrite = rewrite_block(provider, SCRIPT, 1, "speakers", Usage())
    assert rewrite.after == "Ana: First line.\nBen: Still Ana? No, me."


def test_a_rewrite_that_changes_the_speaker_is_refused(fake, provider):
    fake.reply("Zed: Hello.")
    with pytest.raises(DraftRefused, match="script is unchanged"):
        rewrite_block(provider, SCRIPT, 2, "punchier", Usage())


def test_topic_ideas_are_read_one_a_line_without_list_marks_repeats_or_the_titles_they_came_from():
    answer = '```\n1. Matcha versus coffee\n- "Why green tea"\n* Tea before bed?\n\n2) tea before bed?\n' + "x" * 201
    assert read_topics(answer, 5, {"Why green tea"}) == ["Matcha versus coffee", "Tea before bed?"]
    assert read_topics("One\nTwo\nThree", 2, set()) == ["One", "Two"]


def selected(script: str, words: str) -> tuple[int, int]:
    start = script.index(words)
    return start, start + len(words)


def test_a_selection_is_rewritten_in_place_with_its_block_around_it(fake, provider):
    fake.reply("Ana: verse, yet")
    rewrite = rewrite_selection(provider, SCRIPT, *selected(SCRIPT, "line\nstill"), "punchier", Usage())
    assert rewrite.script == "# notes\nAna: First verse, yet Ana.\n[pause 1s]\nBen: Second line.\nAna: Third."
    assert rewrite.diff == [("del", "line still"), ("ins", "verse, yet")]
    assert (rewrite.before, rewrite.block, rewrite.context) == ("line\nstill", 1, ("First", "Ana."))
    assert SCRIPT[: rewrite.start] + rewrite.after + SCRIPT[rewrite.end :] == rewrite.script
    assert "Ana: First line still Ana." in fake.prompts[0]
    assert "this part of it only:\n<<<\nline still\n>>>" in fake.prompts[0]


def test_spaces_at_a_selections_edges_are_left_and_other_line_endings_kept(fake, provider):
    script = "Ana: One two three.\r\nBen: Four five."
    fake.reply("Ana: 2")
    rewrite = rewrite_selection(provider, script, *selected(script, " two "), "shorten", Usage(), seconds=1)
    assert rewrite.script == "Ana: One 2 three.\r\nBen: Four five." and rewrite.before == "two"


def test_a_selection_split_into_speakers_gets_lines_of_its_own(fake, provider):
    script = "Ana: One two three four five.\nBen: Six."
    fake.reply("Ana: Three?\nBen: Four!\n[pause 1s]").reply("Ana: One.\nBen: Two, three, four, five.")
    rewrite = rewrite_selection(provider, script, *selected(script, "three four"), "speakers", Usage())
    assert rewrite.script == "Ana: One two\nAna: Three?\nBen: Four!\n[pause 1s]\nAna: five.\nBen: Six."
    rewrite = rewrite_selection(provider, script, *selected(script, "One two three four five."), "speakers", Usage())
    assert rewrite.script == "Ana: One.\nBen: Two, three, four, five.\nBen: Six."


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("", "has no words"),
        ("\n", "has no words"),
        ("Ana: First", "speaker's name"),
        ("Ana.\n[pause 1s]\nBen: Second", "runs over blocks 1 to 2"),
        ("# notes\nAna", "speaker's name, a pause or a comment"),
    ],
)
def test_a_selection_that_is_not_words_of_one_block_is_refused_before_any_call(fake, provider, words, message):
    start, end = selected(SCRIPT, words) if words else (9, 9)
    if start == end:
        with pytest.raises(SelectionError, match="is not within"):
            rewrite_selection(provider, SCRIPT, start, end, "punchier", Usage())
    else:
        with pytest.raises(SelectionError, match=message):
            rewrite_selection(provider, SCRIPT, start, end, "punchier", Usage())
    assert not fake.requests


def test_a_selection_outside_the_script_or_over_a_pause_inside_a_block_is_refused():
    with pytest.raises(SelectionError, match=f"not within the script's {len(SCRIPT)} characters"):
        rewrite_selection(ProviderConfig("openai", "k", "m"), SCRIPT, 60, 99, "punchier", Usage())
    script = "Ana: one\n[pause 1s]\nmore words"
    with pytest.raises(SelectionError, match="takes in a pause"):
        rewrite_selection(ProviderConfig("openai", "k", "m"), script, *selected(script, "one\n[pause 1s]\nmore"),
                          "punchier", Usage())  # fmt: skip


def test_new_words_that_would_read_as_a_speakers_tag_are_refused(fake, provider):
    fake.reply("Ana: Note: still")
    with pytest.raises(DraftRefused, match="would change the script's lines"):
        rewrite_selection(provider, SCRIPT, *selected(SCRIPT, "still"), "punchier", Usage())
