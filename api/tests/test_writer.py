"""POST /api/v1/drafts with a language model, and /api/v1/rewrites: both SDKs against the fake server."""

import pytest

from billing.models import LLMUsage, Plan
from mediakit.text.script import parse_text
from scripts.models import Script
from tests.factories import CampaignFactory, workspace_of
from tests.fixtures import configure_llm
from writer.models import WorkspaceWriter

from .test_auth import error_of

pytestmark = pytest.mark.django_db
DRAFT = "/api/v1/drafts"
REWRITE = "/api/v1/rewrites"
ASK = {"topic": "Cold brew", "seconds": 30, "speakers": ["Ana", "Ben"]}
GOOD = """# Cold brew, the short version
Ana: Cold brew never meets heat. That is the whole trick, and it changes everything about the cup.
Ben: So it is less bitter? Even with the same beans I buy every week?
Ana: Less bitter, sweeter, and it keeps for a week. Grind coarse, steep twelve hours, filter it twice.
Ben: Twelve hours of patience for a week of coffee. Follow for the recipe card."""


def test_with_a_key_the_model_writes_a_full_two_speaker_draft(api, owner, llm):
    llm.reply(GOOD)
    response = api.post(DRAFT, ASK, format="json")
    assert response.status_code == 200, response.json()
    draft = response.json()
    assert draft["writer"] == llm.provider and draft["title"] == "Cold brew, the short version"
    assert [block.speaker for block in parse_text(draft["body"])] == ["Ana", "Ben", "Ana", "Ben"]
    assert draft["repaired"] is False and draft["usage"]["output_tokens"] == len(GOOD.split())
    row = LLMUsage.objects.get()
    assert (row.workspace, row.provider, row.purpose) == (workspace_of(owner), llm.provider, "draft")
    assert row.output_tokens == len(GOOD.split()) and row.input_tokens > 0
    assert not Script.objects.exists()  # a draft is saved only when the creator saves it


def test_the_campaigns_brand_notes_and_latest_scripts_guide_the_model(api, owner, llm):
    campaign = CampaignFactory(workspace=workspace_of(owner), brand_notes="We never say 'hack'.")
    Script.objects.create(workspace=campaign.workspace, campaign=campaign, title="Old", body="Ana: Our last one.")
    llm.reply(GOOD)
    assert api.post(DRAFT, {**ASK, "campaign": campaign.pk, "language": "de"}, format="json").status_code == 200
    assert "We never say 'hack'." in llm.prompts[0] and "Ana: Our last one." in llm.prompts[0]
    assert "German" in llm.prompts[0]


def test_another_workspaces_campaign_is_a_400(api, outsider, llm):
    campaign = CampaignFactory(workspace=workspace_of(outsider))
    response = api.post(DRAFT, {**ASK, "campaign": campaign.pk}, format="json")
    assert response.status_code == 400 and "campaign" in error_of(response)["details"]
    assert not llm.requests


def test_nonsense_is_repaired_once_with_the_parsers_errors(api, llm):
    llm.reply("Here you go!\n- point one\n- point two").reply(GOOD)
    draft = api.post(DRAFT, ASK, format="json").json()
    assert draft["repaired"] is True and len(llm.requests) == 2
    assert "could not be used" in llm.prompts[1]


def test_nonsense_twice_is_a_502_in_plain_words_and_nothing_is_saved(api, llm):
    llm.reply("I am sorry, I cannot write scripts.")
    response = api.post(DRAFT, ASK, format="json")
    assert response.status_code == 502
    error = error_of(response)
    assert error["code"] == "writer_unreadable" and "Nothing was saved" in error["message"]
    assert not Script.objects.exists() and LLMUsage.objects.get().output_tokens > 0  # the tokens were spent


@pytest.mark.parametrize(
    ("failures", "status", "code", "words"),
    [
        ([500, 500, 500], 502, "writer_down", "server error (500)"),
        ([429, 429, 429], 503, "writer_busy", "rate-limiting us"),
    ],
)
def test_a_provider_failing_after_the_sdks_retries_is_named(api, llm, failures, status, code, words):
    for failure in failures:
        llm.fail(failure)
    response = api.post(DRAFT, ASK, format="json")
    assert response.status_code == status and error_of(response)["code"] == code
    assert words in error_of(response)["message"] and len(llm.requests) == 3
    assert not LLMUsage.objects.exists() and not Script.objects.exists()


def test_a_429_then_success_is_retried(api, llm):
    llm.fail(429).reply(GOOD)
    assert api.post(DRAFT, ASK, format="json").status_code == 200 and len(llm.requests) == 2


def test_a_key_the_provider_refuses_is_a_502_saying_so(api, settings, llm):
    configure_llm(settings, llm, llm.provider, key="sk-revoked")
    response = api.post(DRAFT, ASK, format="json")
    assert response.status_code == 502 and error_of(response)["code"] == "writer_key"
    assert "refused our API key (401)" in error_of(response)["message"] and len(llm.requests) == 1


def test_the_outline_can_still_be_asked_for(api, llm):
    draft = api.post(DRAFT, {**ASK, "writer": "outline"}, format="json").json()
    assert draft["writer"] == "outline" and "[[Hook" in draft["body"] and not llm.requests


def test_without_a_key_asking_for_a_model_is_a_400_naming_the_settings(api):
    response = api.post(DRAFT, {**ASK, "writer": "openai"}, format="json")
    assert response.status_code == 400 and "OPENAI_API_KEY" in error_of(response)["details"]["writer"][0]


def test_the_plans_token_allowance_is_a_402(api, owner, llm):
    Plan.objects.filter(slug="pro").update(max_llm_tokens=0)
    response = api.post(DRAFT, ASK, format="json")
    assert response.status_code == 402 and "does not include the AI writer" in error_of(response)["message"]
    assert not llm.requests


def test_a_workspace_chooses_its_provider_when_several_are_configured(api, owner, settings, llm):
    configure_llm(settings, llm, "openai")
    configure_llm(settings, llm, "anthropic")
    llm.reply(GOOD)
    assert api.post(DRAFT, {**ASK, "writer": "anthropic"}, format="json").json()["writer"] == "anthropic"
    assert WorkspaceWriter.objects.get(workspace=workspace_of(owner)).provider == "anthropic"
    assert api.post(DRAFT, ASK, format="json").json()["writer"] == "anthropic"
    assert [request["api"] for request in llm.requests] == ["anthropic", "anthropic"]


SCRIPT = "Ana: Cold brew is coffee that never met heat at all, not even once.\nBen: Tell me more."


def test_a_rewrite_answers_the_block_before_and_after_with_a_diff(api, llm):
    llm.reply("Ana: Cold brew never meets heat.")
    response = api.post(REWRITE, {"script": SCRIPT, "block": 1, "tool": "shorten", "seconds": 3}, format="json")
    assert response.status_code == 200, response.json()
    rewrite = response.json()
    assert rewrite["script"] == "Ana: Cold brew never meets heat.\nBen: Tell me more."
    assert ["ins", "meets heat."] in rewrite["diff"] and rewrite["before"] == SCRIPT.splitlines()[0]
    assert LLMUsage.objects.get().purpose == "rewrite"


def test_a_translation_asks_for_the_scripts_language_and_keeps_the_speaker(api, llm):
    llm.reply("Ana: Le cold brew n'a jamais connu la chaleur, pas une seule fois.")
    answers = {"script": SCRIPT, "block": 1, "tool": "translate", "language": "fr"}
    rewrite = api.post(REWRITE, answers, format="json").json()
    assert rewrite["script"].splitlines() == ["Ana: Le cold brew n'a jamais connu la chaleur, pas une seule fois.",
                                              "Ben: Tell me more."]  # fmt: skip
    assert "Translate it into French" in llm.prompts[0]


@pytest.mark.parametrize(
    ("failures", "status", "code", "words"),
    [
        ([401], 502, "writer_key", "refused our API key (401)"),
        ([500, 500, 500], 502, "writer_down", "server error (500)"),
        ([429, 429, 429], 503, "writer_busy", "rate-limiting us"),
    ],
)
def test_a_rewrite_the_provider_refuses_is_named_in_plain_words(api, llm, failures, status, code, words):
    for failure in failures:
        llm.fail(failure)
    response = api.post(REWRITE, {"script": SCRIPT, "block": 1, "tool": "punchier"}, format="json")
    assert response.status_code == status and error_of(response)["code"] == code
    assert words in error_of(response)["message"] and not LLMUsage.objects.exists()


def test_a_rewrite_answered_with_nonsense_twice_is_a_502(api, llm):
    llm.reply("Sorry, I only write poems.")
    response = api.post(REWRITE, {"script": SCRIPT, "block": 1, "tool": "punchier"}, format="json")
    assert response.status_code == 502 and error_of(response)["code"] == "writer_unreadable"
    assert len(llm.requests) == 2  # sent back once with what was wrong


def test_a_rewrite_of_a_block_that_does_not_exist_is_a_400(api, llm):
    response = api.post(REWRITE, {"script": SCRIPT, "block": 3, "tool": "punchier"}, format="json")
    assert response.status_code == 400 and "there is no block 3" in error_of(response)["details"]["script"][0]


def test_rewrites_without_a_key_say_they_need_one(api):
    response = api.post(REWRITE, {"script": SCRIPT, "block": 1, "tool": "punchier"}, format="json")
    assert response.status_code == 400 and "need a writing model" in error_of(response)["details"]["writer"][0]


def test_a_campaigns_brand_notes_are_set_over_the_api_and_bounded(api, owner):
    campaign = CampaignFactory(workspace=workspace_of(owner))
    url = f"/api/v1/campaigns/{campaign.pk}"
    assert api.patch(url, {"brand_notes": "Warm, never salesy."}, format="json").json()["brand_notes"] == (
        "Warm, never salesy."
    )
    response = api.patch(url, {"brand_notes": "x" * 2001}, format="json")
    assert response.status_code == 400 and "brand_notes" in error_of(response)["details"]


def test_a_rewrite_of_selected_words_replaces_only_them(api, llm):
    llm.reply("Ana: never met heat.")
    start, end = SCRIPT.index("never met"), len(SCRIPT.splitlines()[0])
    selection = {"start": start, "end": end, "text": SCRIPT[start:end]}
    response = api.post(REWRITE, {"script": SCRIPT, "selection": selection, "tool": "punchier"}, format="json")
    assert response.status_code == 200, response.json()
    rewrite = response.json()
    assert rewrite["script"] == "Ana: Cold brew is coffee that never met heat.\nBen: Tell me more."
    assert (rewrite["block"], rewrite["start"], rewrite["end"]) == (1, selection["start"], selection["end"])
    assert rewrite["before"] == "never met heat at all, not even once." and rewrite["after"] == "never met heat."
    assert ["del", "heat at all, not even once."] in rewrite["diff"] and "this part of it only" in llm.prompts[0]


@pytest.mark.parametrize(
    ("selection", "field", "words"),
    [
        ({"start": 4, "end": 5}, "selection", "has no words"),
        ({"start": 0, "end": 999}, "selection", "not within the script's"),
        ({"start": 0, "end": 9}, "selection", "speaker's name"),
        ({"start": 40, "end": 75}, "selection", "runs over blocks 1 to 2"),
        ({"start": 5, "end": 9, "text": "Hot"}, "selection", "is not the selected text"),
        ({"start": -1, "end": 9}, "selection", "greater than or equal to 0"),
    ],
)
def test_a_bad_selection_is_a_400_naming_it_before_any_call(api, llm, selection, field, words):
    response = api.post(REWRITE, {"script": SCRIPT, "selection": selection, "tool": "shorten"}, format="json")
    assert response.status_code == 400, response.json()
    assert words in str(error_of(response)["details"][field]) and not llm.requests


@pytest.mark.parametrize("extra", [{}, {"block": 1, "selection": {"start": 5, "end": 9}}])
def test_a_rewrite_asks_for_a_block_or_a_selection(api, llm, extra):
    response = api.post(REWRITE, {"script": SCRIPT, "tool": "shorten", **extra}, format="json")
    assert response.status_code == 400 and "either a block number or a selection" in str(error_of(response))
