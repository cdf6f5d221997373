"""POST /api/v1/drafts written in the fast lane: a 202 with a draft to poll when the model is slow (forced here
with WRITER_INLINE_SECONDS = 0), the script when done, the provider's failure in plain words when not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import LLMUsage
from mediakit.text.script import parse_text
from scripts.models import Script
from tests.fixtures import configure_llm
from writer.models import Draft

from .test_auth import error_of
from .test_writer import ASK, DRAFT, GOOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def slow(settings):
    settings.WRITER_INLINE_SECONDS = 0


def test_a_slow_draft_is_a_202_to_poll_until_the_script_is_there(api, llm, slow):
    llm.reply(GOOD)
    response = api.post(DRAFT, ASK, format="json")
    assert response.status_code == 202, response.json()
    assert response["Location"] == response.json()["url"] == f"{DRAFT}/{response.json()['id']}"
    draft = api.get(response.json()["url"]).json()
    assert draft["status"] == "done" and draft["writer"] == llm.provider
    assert [block.speaker for block in parse_text(draft["body"])] == ["Ana", "Ben", "Ana", "Ben"]
    assert draft["usage"]["output_tokens"] == len(GOOD.split()) == LLMUsage.objects.get().output_tokens
    assert not Script.objects.exists()


def test_a_provider_failure_is_a_failed_draft_in_plain_words_with_no_script(api, settings, llm, slow):
    configure_llm(settings, llm, llm.provider, key="sk-revoked")
    url = api.post(DRAFT, ASK, format="json").json()["url"]
    draft = api.get(url).json()
    assert draft["status"] == "failed" and draft["error"]["code"] == "writer_key"
    assert "refused our API key (401)" in draft["error"]["message"]
    assert "body" not in draft and Draft.objects.get().body == "" and not Script.objects.exists()


def test_nonsense_twice_fails_the_draft_saying_so(api, llm, slow):
    llm.reply("I am sorry, I cannot write scripts.")
    draft = api.get(api.post(DRAFT, ASK, format="json").json()["url"]).json()
    assert draft["status"] == "failed" and draft["error"]["code"] == "writer_unreadable"
    assert "Nothing was saved" in draft["error"]["message"]


def test_another_workspaces_draft_is_not_found(api, outsider_api, llm, slow):
    llm.reply(GOOD)
    url = api.post(DRAFT, ASK, format="json").json()["url"]
    response = outsider_api.get(url)
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_a_draft_is_kept_a_day_then_swept(api, llm, slow):
    llm.reply(GOOD).reply(GOOD)
    url = api.post(DRAFT, ASK, format="json").json()["url"]
    Draft.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    assert api.get(url).status_code == 404
    api.post(DRAFT, ASK, format="json")
    assert Draft.objects.count() == 1  # the old one went when the next was asked for


def test_a_bad_brief_is_still_a_400_and_queues_nothing(api, llm, slow):
    response = api.post(DRAFT, {**ASK, "speakers": ["Host: me"]}, format="json")
    assert response.status_code == 400 and not Draft.objects.exists()


@pytest.mark.parametrize(("status", "code"), [(429, "writer_busy"), (500, "writer_down")])
def test_a_provider_that_keeps_failing_fails_the_draft_naming_which(api, llm, slow, status, code):
    llm.fail(status)
    draft = api.get(api.post(DRAFT, ASK, format="json").json()["url"]).json()
    assert draft["status"] == "failed" and draft["error"]["code"] == code and f"({status})" in draft["error"]["message"]
    assert "body" not in draft and not Script.objects.exists()
