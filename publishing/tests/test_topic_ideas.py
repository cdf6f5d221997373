"""Topic ideas on a campaign's performance page: derived from its best videos' words without a writing model
(and labelled so), from the AI writer when one is configured (tokens on the ledger, its errors in plain words);
each opens the writer with the topic filled in."""

import pytest
from django.urls import reverse

from billing.models import LLMUsage, Plan
from publishing.performance import campaign_videos
from publishing.topics import derived_ideas
from tests.factories import CampaignFactory, MembershipFactory, ScriptFactory, UserFactory, published_video
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace):
    campaign = CampaignFactory(workspace=workspace, name="Drinks")
    tea = ScriptFactory(
        workspace=workspace, campaign=campaign, title="Why green tea",
        body="Host: Green tea has less caffeine than coffee. Green tea keeps you calm.",
    )  # fmt: skip
    coffee = ScriptFactory(
        workspace=workspace, campaign=campaign, title="Coffee at night",
        body="Host: Coffee after six costs you sleep. Swap coffee for tea: tea and sleep mix.",
    )  # fmt: skip
    unseen = ScriptFactory(workspace=workspace, campaign=campaign, title="Water", body="Host: Drink water.")
    published_video(tea, 1500)
    published_video(coffee, 300)
    published_video(unseen, 0)
    return campaign


def test_ideas_come_from_the_words_of_the_best_videos_and_say_so(campaign, owner_client):
    ideas = derived_ideas(campaign_videos(campaign))

    assert [idea.topic for idea in ideas] == [
        "More on: green, tea",
        "More on: coffee, sleep",
        "More on: tea",
    ]
    assert ideas[0].source == "“Why green tea” (1500 views)"
    page = owner_client.get(reverse("publishing:campaign_performance", args=[campaign.pk])).content.decode()
    assert "Derived from the words of your best videos (not written by AI)." in page
    assert (
        f'href="/studio/scripts/new/?campaign={campaign.pk}&amp;topic=More%20on%3A%20green%2C%20tea">Draft this' in page
    )
    assert "Ask the AI writer" not in page  # no model configured here


def test_draft_this_opens_the_writer_with_the_topic(campaign, owner_client):
    page = owner_client.get(f"/studio/scripts/new/?campaign={campaign.pk}&topic=More on: green, tea").content.decode()

    assert 'value="More on: green, tea"' in page
    assert '<details class="outline-writer" open>' in page  # no model: the outline writer, opened


def test_a_campaign_without_viewed_videos_has_no_ideas_yet(workspace, owner_client):
    campaign = CampaignFactory(workspace=workspace)
    page = owner_client.get(reverse("publishing:campaign_performance", args=[campaign.pk])).content.decode()
    assert "Ideas appear here once the campaign's published videos have views." in page


def test_with_a_model_the_ai_writer_suggests_topics_and_its_tokens_are_recorded(campaign, owner_client, llm, plans):
    llm.reply('1. Matcha versus coffee\n- "Why green tea"\n- Tea before bed?\n\n* Tea before bed?')
    url = reverse("publishing:campaign_topic_ideas", args=[campaign.pk])
    page = owner_client.get(reverse("publishing:campaign_performance", args=[campaign.pk])).content.decode()
    assert "Ask the AI writer for ideas like these" in page

    html = owner_client.post(url, HTTP_HX_REQUEST="true").content.decode()

    assert html.lstrip().startswith('<section id="topic-ideas"')  # the fragment htmx swaps in
    assert "Suggested by" in html and "Matcha versus coffee" in html
    assert "topic=Tea%20before%20bed%3F" in html and html.count("<li>Tea before bed?") == 1  # repeats dropped
    assert "<li>Why green tea" not in html  # an existing title is not an idea
    assert "- Why green tea (1500 views)" in llm.prompts[-1] and "Coffee at night (300 views)" in llm.prompts[-1]
    assert "Water" not in llm.prompts[-1]  # no views: not among the best
    assert LLMUsage.objects.get().purpose == "topics"
    page_again = owner_client.post(url).content.decode()  # without htmx: the whole page
    assert "<h1>Drinks: performance</h1>" in page_again


@pytest.mark.parametrize("status, said", [(401, "key"), (500, "")])
def test_a_providers_refusal_is_said_plainly_and_the_derived_ideas_stay(campaign, owner_client, llm, status, said):
    llm.fail(status)

    html = owner_client.post(reverse("publishing:campaign_topic_ideas", args=[campaign.pk])).content.decode()

    assert 'id="ai-topic-error"' in html and "The AI writer gave no ideas:" in html and said in html
    assert "More on: green, tea" in html


def test_the_plans_writer_tokens_used_up_are_said_with_the_way_to_upgrade(campaign, owner_client, llm, plans):
    Plan.objects.update(max_llm_tokens=0)
    html = owner_client.post(reverse("publishing:campaign_topic_ideas", args=[campaign.pk])).content.decode()
    assert "See plans and upgrade" in html and not llm.requests


def test_viewers_cannot_spend_writer_tokens(campaign, owner, llm):
    viewer = UserFactory()
    MembershipFactory(user=viewer, workspace=campaign.workspace, role="viewer")
    response = client_working_in(viewer, campaign.workspace).post(
        reverse("publishing:campaign_topic_ideas", args=[campaign.pk])
    )
    assert response.status_code == 403 and not llm.requests
