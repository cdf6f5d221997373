"""The Studio's AI writer: a draft streamed as server-sent events, only a checked one reaching the editor;
the rewrite tools' diff. Both SDKs against the fake server; nothing is saved by either."""

import json
import threading

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import AsyncClient
from django.urls import reverse

from billing.models import LLMUsage, Plan
from mediakit.text.script import parse_text
from scripts.models import Script
from tests.fixtures import configure_llm

pytestmark = pytest.mark.django_db
NEW = reverse("studio:script_new")
DRAFT = reverse("studio:writer_draft")
REWRITE = reverse("studio:writer_rewrite")
ANSWERS = {"ai-topic": "Cold brew at home", "ai-platform": "shorts", "ai-seconds": "30", "ai-tone": "playful",
           "ai-speakers": "Ana, Ben", "ai-language": "en"}  # fmt: skip
GOOD = """# Cold brew at home
Ana: Cold brew never meets heat. That is the whole trick, and it changes the cup completely.
Ben: So it tastes less bitter? Even with the beans I already have at home?
Ana: Less bitter, sweeter, and it keeps a week. Grind coarse, steep twelve hours, filter twice.
Ben: Twelve hours of patience for a week of coffee. Follow for the recipe card."""


def events_of(response) -> list[tuple[str, object]]:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    events = []
    for frame in raw.decode().split("\n\n"):
        if frame.strip():
            name, data = frame.split("\n", 1)
            events.append((name.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return events


def test_without_a_key_the_editor_says_the_ai_writer_needs_one(owner_client):
    page = owner_client.get(NEW).content.decode()
    assert 'id="ai-writer-off"' in page and "OPENAI_API_KEY or ANTHROPIC_API_KEY" in page
    assert 'id="ai-draft-form"' not in page and 'id="rewrite-tools"' not in page


def test_a_draft_streams_piece_by_piece_and_ends_with_the_checked_script(owner, owner_client, llm):
    llm.reply(GOOD)
    assert 'id="ai-draft-form"' in owner_client.get(NEW).content.decode()
    response = owner_client.post(DRAFT, ANSWERS)
    assert response.status_code == 200 and response["content-type"] == "text/event-stream"
    events = events_of(response)
    pieces = [data for name, data in events if name == "text"]
    assert len(pieces) > 10 and "".join(pieces) == GOOD
    name, done = events[-1]
    assert name == "done" and done["title"] == "Cold brew at home" and done["repaired"] is False
    assert [block.speaker for block in parse_text(done["body"])] == ["Ana", "Ben", "Ana", "Ben"]
    assert LLMUsage.objects.get().output_tokens == len(GOOD.split())
    assert not Script.objects.exists()


def test_nonsense_restarts_once_then_is_refused_and_nothing_reaches_the_editor(owner_client, llm):
    llm.reply("Sorry, as a language model I would rather not.")
    events = events_of(owner_client.post(DRAFT, ANSWERS))
    assert [name for name, _ in events if name != "text"] == ["restart", "failed"]
    assert "not a script we can read, twice" in events[-1][1]["message"]
    assert not Script.objects.exists() and LLMUsage.objects.count() == 1


def test_a_refused_key_is_told_in_plain_words(owner_client, settings, llm):
    configure_llm(settings, llm, llm.provider, key="sk-revoked")
    name, failed = events_of(owner_client.post(DRAFT, ANSWERS))[-1]
    assert name == "failed" and "refused our API key (401)" in failed["message"]
    assert not LLMUsage.objects.exists()


@pytest.mark.parametrize(
    ("status", "words"),
    [(429, "is rate-limiting us or the account is out of credit (429)"), (500, "had a server error (500)")],
)
def test_a_provider_that_keeps_failing_is_named_in_plain_words_and_nothing_is_saved(owner_client, llm, status, words):
    llm.fail(status)
    events = events_of(owner_client.post(DRAFT, ANSWERS))
    assert [name for name, _ in events] == ["failed"] and words in events[0][1]["message"]
    assert len(llm.requests) == 3 and not Script.objects.exists() and not LLMUsage.objects.exists()


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"ai-topic": ""}, "Topic: This field is required."),
        ({"ai-topic": "   "}, "Topic: This field is required."),
        ({"ai-seconds": "0"}, "Length (seconds): Ensure"),
        ({"ai-seconds": "10800"}, "Length (seconds): Ensure this value is less than or equal to 1800."),
        ({"ai-speakers": "A, B, C, D, E"}, "at most four speakers"),
    ],
)
def test_bad_answers_are_refused_before_any_call(owner_client, llm, answers, message):
    response = owner_client.post(DRAFT, {**ANSWERS, **answers})
    assert response.status_code == 400 and message in events_of(response)[0][1]["message"]
    assert not llm.requests


def test_a_used_up_allowance_is_refused_before_any_call(owner_client, llm):
    Plan.objects.free()
    Plan.objects.update(max_llm_tokens=0)
    response = owner_client.post(DRAFT, ANSWERS)
    assert response.status_code == 402 and "does not include the AI writer" in events_of(response)[0][1]["message"]
    assert not llm.requests


SCRIPT = "Ana: Cold brew is coffee that never met heat at all.\nBen: Tell me more."


def test_a_rewrite_shows_the_diff_with_accept_and_discard(owner_client, llm):
    llm.reply("Ana: Cold brew never meets heat.")
    page = owner_client.post(REWRITE, {"body": SCRIPT, "block": 1, "tool": "shorten", "seconds": 3}).content.decode()
    assert "<del>is coffee that</del>" in page and "<ins>meets heat.</ins>" in page
    assert 'data-start="0" data-end="52"' in page and "\nAna: Cold brew never meets heat.</textarea>" in page
    assert 'id="rewrite-accept"' in page and 'id="rewrite-discard"' in page
    assert not Script.objects.exists()


@pytest.mark.parametrize(
    ("failures", "words"),
    [([401], "refused our API key (401)"), ([500, 500, 500], "server error (500)"), ([429] * 3, "rate-limiting us")],
)
def test_a_rewrite_the_provider_refuses_is_told_in_plain_words_with_nothing_to_accept(
    owner_client, llm, failures, words
):
    for failure in failures:
        llm.fail(failure)
    page = owner_client.post(REWRITE, {"body": SCRIPT, "block": 1, "tool": "punchier"}).content.decode()
    assert words in page and 'id="rewrite-accept"' not in page


def test_a_rewrite_answered_with_nonsense_twice_is_refused_with_nothing_to_accept(owner_client, llm):
    llm.reply("Sorry, I only write poems.")
    page = owner_client.post(REWRITE, {"body": SCRIPT, "block": 1, "tool": "punchier"}).content.decode()
    assert "did not give back a passage we can read, twice" in page and "the script is unchanged" in page
    assert 'id="rewrite-accept"' not in page and len(llm.requests) == 2


def test_a_rewrite_of_a_broken_script_asks_to_fix_it_first(owner_client, llm):
    page = owner_client.post(REWRITE, {"body": "no speaker here", "block": 1, "tool": "punchier"}).content.decode()
    assert "Fix the script first" in page and not llm.requests


def test_rewrites_without_a_key_say_they_need_one(owner_client):
    page = owner_client.post(REWRITE, {"body": SCRIPT, "block": 1, "tool": "punchier"}).content.decode()
    assert "Rewrites need a writing model" in page


@pytest.mark.django_db(transaction=True)
async def test_under_asgi_the_draft_streams_through_an_async_iterator(owner, settings, fake_llm_server):
    configure_llm(settings, fake_llm_server, "anthropic")  # one provider: a transactional test is slow
    fake_llm_server.reply(GOOD)
    fake_llm_server.hold = threading.Event()  # the model stops after its first piece until released
    client = AsyncClient()
    await client.aforce_login(owner)
    response = await client.post(DRAFT, ANSWERS)
    assert response.status_code == 200 and response.is_async
    chunks = aiter(response.streaming_content)
    first = await anext(chunks)  # arrives while the model is still writing: it is streamed, not buffered
    assert first == b'event: text\ndata: "# Cold "\n\n'
    fake_llm_server.hold.set()
    raw = first + b"".join([chunk async for chunk in chunks])
    assert raw.count(b"event: text") > 10 and b"event: done" in raw and not fake_llm_server.hold_timed_out
    assert await LLMUsage.objects.acount() == 1
    # The test client keeps Django from closing the request thread's connection; PostgreSQL's teardown needs it.
    await sync_to_async(connections.close_all)()


def selection_of(words: str, body: str = SCRIPT) -> dict:
    start = body.index(words)
    return {
        "scope": "selection",
        "selection_start": start,
        "selection_end": start + len(words),
        "selection_text": words,
    }


def test_a_rewrite_of_the_selected_words_shows_them_in_context(owner_client, llm):
    llm.reply("Ana: untouched by heat.")
    answers = {"body": SCRIPT, "tool": "punchier", **selection_of("that never met heat at all.")}
    page = owner_client.post(REWRITE, answers).content.decode()
    assert "the selected words of block 1" in page
    assert '<span class="muted" id="rewrite-context-before">Cold brew is coffee</span>' in page
    assert "<del>that never met heat at all.</del>" in page and "<ins>untouched by heat.</ins>" in page
    assert 'data-start="25" data-end="52"' in page and "\nuntouched by heat.</textarea>" in page
    assert "this part of it only" in llm.prompts[0] and not Script.objects.exists()


def test_the_offsets_count_characters_of_the_editors_text(owner_client, llm):
    body = "Ana: Café ☕ time, every morning.\r\nBen: Sure."
    llm.reply("Ana: each dawn.")
    answers = {"body": body, "tool": "shorten", **selection_of("every morning.", body.replace("\r\n", "\n"))}
    page = owner_client.post(REWRITE, answers).content.decode()
    assert "<ins>each dawn.</ins>" in page and 'data-start="18" data-end="32"' in page  # ☕ is one character


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ({"scope": "selection"}, "Select the words to rewrite in the editor first."),
        ({**selection_of("Tell me"), "selection_text": "Tell us"}, "no longer matches the editor"),
        (selection_of("Ana: Cold"), "speaker&#x27;s name"),
        (selection_of("all.\nBen: Tell"), "runs over blocks 1 to 2"),
        ({"scope": "block", "block": ""}, "Which block?"),
    ],
)
def test_a_bad_selection_is_told_before_any_call(owner_client, llm, selection, message):
    page = owner_client.post(REWRITE, {"body": SCRIPT, "tool": "punchier", **selection}).content.decode()
    assert 'id="rewrite-error"' in page and message in page and not llm.requests
