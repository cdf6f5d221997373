"""A series with a writing model configured: topic-only rows are drafted by the AI writer in the fast lane (the
upload does not wait for it), then wait for a render; a provider's refusal fails the row with its reason."""

import pytest

from billing.models import LLMUsage
from mediakit.text.script import parse_text
from publishing.models import SeriesRow
from publishing.services import draft_row, render_again
from scripts.models import Script
from tests.factories import CampaignFactory, put_on_plan, seed_plans
from tests.fixtures import configure_llm

from .test_series import start

pytestmark = pytest.mark.django_db
Status = SeriesRow.Status
SCRIPT = """# Rain, briefly
Host: Rain is just clouds letting go. Each drop starts as a speck of dust that water vapour clings to.
Host: Follow for one fact a day."""


@pytest.fixture
def campaign(workspace, settings):
    settings.SERIES_DRAFT_SECONDS = 10  # the fake model's short script fits it
    settings.RENDER_VIDEO_HEIGHT = 240  # a drafted row renders for real: small pictures, speech not heard back
    settings.RENDER_VERIFY = False
    seed_plans()
    put_on_plan(workspace, "creator")
    return CampaignFactory(workspace=workspace, name="Facts", aspect="16:9")


def test_a_topic_row_is_drafting_after_the_upload_then_the_ai_writers_script_waits_to_render(
    owner, workspace, campaign, llm, django_capture_on_commit_callbacks
):
    llm.reply(SCRIPT)
    with django_capture_on_commit_callbacks() as queued:
        series = start(workspace, campaign, owner, "topic,title\nRain,Rain facts\n")
    row = series.rows.get()
    assert row.status == Status.DRAFTING and row.script is None and not llm.requests  # nobody waited for it
    assert len(queued) == 1

    draft_row(row.pk)

    row.refresh_from_db()
    assert row.status == Status.RENDERING and row.error == ""  # waited for a slot, and the plan had one
    assert row.script.title == "Rain facts" and row.script.campaign == campaign
    assert [block.speaker for block in parse_text(row.script.body)] == ["Host", "Host"]
    assert LLMUsage.objects.get().purpose == "draft"


def test_a_provider_refusal_fails_the_row_with_its_reason_and_keeps_no_script(
    owner, workspace, campaign, settings, llm, django_capture_on_commit_callbacks
):
    configure_llm(settings, llm, llm.provider, key="sk-revoked")
    with django_capture_on_commit_callbacks(execute=True):
        series = start(workspace, campaign, owner, "topic\nRain\n")
    row = series.rows.get()
    assert row.status == Status.FAILED and row.script is None
    assert "refused our API key (401)" in row.error and not Script.objects.exists()


def test_without_a_model_the_topic_is_still_an_outline(owner, workspace, campaign):
    row = start(workspace, campaign, owner, "topic\nRain\n").rows.get()
    assert row.status == Status.NEEDS_SCRIPT and "[[Hook" in row.script.body


def test_a_failed_draft_sent_on_again_goes_back_to_the_writer(
    owner, workspace, campaign, settings, llm, django_capture_on_commit_callbacks
):
    configure_llm(settings, llm, llm.provider, key="sk-revoked")
    with django_capture_on_commit_callbacks(execute=True):
        series = start(workspace, campaign, owner, "topic\nRain\n")
    row = series.rows.get()
    assert row.status == Status.FAILED
    configure_llm(settings, llm, llm.provider)
    llm.reply(SCRIPT)
    with django_capture_on_commit_callbacks(execute=True):
        render_again(row)
    row.refresh_from_db()
    assert row.status != Status.FAILED and row.error == "" and row.script.title == "Rain, briefly"
