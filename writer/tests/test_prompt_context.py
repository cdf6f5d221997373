"""What a campaign adds to the writer's prompt: its brand notes and past scripts, those whose published videos did
best first (views, then watch time), then the newest."""

import pytest

from mediakit.writer.drafts import draft_prompt
from tests.factories import CampaignFactory, ScriptFactory, published_video
from writer.services import brief_for

pytestmark = pytest.mark.django_db


def brief(workspace, campaign):
    return brief_for(
        workspace, topic="Green tea", platform="shorts", seconds=30, tone="friendly", speakers=["Host"],
        language="en", campaign=campaign,
    )  # fmt: skip


def test_the_campaigns_best_performers_are_the_writers_first_examples(workspace):
    campaign = CampaignFactory(workspace=workspace, brand_notes="Warm, no jargon.")
    hit = ScriptFactory(workspace=workspace, campaign=campaign, body="Host: The hit about oolong.")
    good = ScriptFactory(workspace=workspace, campaign=campaign, body="Host: The good one about matcha.")
    for number in range(3):
        ScriptFactory(workspace=workspace, campaign=campaign, body=f"Host: Newer script {number}.")
    published_video(good, 300, watch_minutes=40.0)
    published_video(hit, 300, watch_minutes=90.0)  # as many views, watched longer
    published_video(ScriptFactory(workspace=workspace, body="Host: Another campaign's hit."), 99999)

    drafted = brief(workspace, campaign)

    assert drafted.examples == ("Host: The hit about oolong.", "Host: The good one about matcha.",
                                "Host: Newer script 2.")  # fmt: skip
    assert drafted.best_examples == 2
    _, prompt = draft_prompt(drafted)
    assert "Past script 1 of this campaign (one of its best-performing videos, for voice" in prompt
    assert "Past script 3 of this campaign (for voice and style only; do not copy it)" in prompt
    assert "Warm, no jargon." in prompt and "Another campaign's hit" not in prompt


def test_without_published_videos_the_newest_scripts_are_the_examples(workspace):
    campaign = CampaignFactory(workspace=workspace)
    for number in range(4):
        ScriptFactory(workspace=workspace, campaign=campaign, body=f"Host: Script {number}.")

    drafted = brief(workspace, campaign)

    assert drafted.examples == ("Host: Script 3.", "Host: Script 2.", "Host: Script 1.")
    assert drafted.best_examples == 0
