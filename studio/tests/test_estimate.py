"""The editor's live estimate: the same narration seconds quota reserves, per block and in total."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from mediakit.text.script import parse_text
from renders.options import RenderOptions
from renders.quota import cost_of
from tests.factories import put_on_plan, seed_plans, workspace_of

pytestmark = pytest.mark.django_db
URL = reverse("studio:script_estimate")
SCRIPT = "Host: It costs $1,250 today.\n[pause 2s]\nGuest: Thanks for having me, it is great to be here."


def total_seconds(html: str) -> int:
    return int(re.search(r"about (\d+) s", html).group(1))


def test_the_estimate_equals_what_quota_reserves(owner_client):
    html = owner_client.post(URL, {"body": SCRIPT, "language": "en"}).content.decode()
    reserved = cost_of(parse_text(SCRIPT), "audio", RenderOptions(language="en")).narration_seconds
    assert total_seconds(html) == int(reserved)
    # "$1,250" is said as six words ("one thousand two hundred fifty dollars"), as quota counts it.
    assert "20 words" in html and "<td>Host</td><td>10</td>" in html


def test_it_shows_the_plans_remaining_narration(owner_client, owner):
    seed_plans()
    put_on_plan(workspace_of(owner), "free")
    html = owner_client.post(URL, {"body": SCRIPT}).content.decode()
    assert re.search(r"\d+ s left", html) and "more than your plan" not in html


def test_a_script_longer_than_the_plan_allows_is_flagged(owner_client, owner):
    seed_plans()
    put_on_plan(workspace_of(owner), "free")
    long_script = "Host: " + "word " * 3000
    html = owner_client.post(URL, {"body": long_script}).content.decode()
    assert "more than your plan has left" in html


def test_a_block_that_will_be_split_is_warned_about(owner_client):
    sentence = "This sentence is long enough to count for something real. "
    html = owner_client.post(URL, {"body": "Host: Short.\nGuest: " + sentence * 8}).content.decode()
    assert html.count('class="split"') == 1 and "Read in 2 parts" in html


def test_a_broken_script_shows_the_parsers_errors_by_line(owner_client):
    response = owner_client.post(URL, {"body": "Host: Hi.\n[pause forever]"})
    assert response.status_code == 200
    assert "Line 2: cannot read the pause length" in response.content.decode()


@pytest.mark.parametrize("data", [{"body": ""}, {"body": "Host: Hi.", "language": "<script>"}, {"body": "x" * 30_000}])
def test_bad_input_gets_a_message_not_a_500(owner_client, data):
    response = owner_client.post(URL, data)
    assert response.status_code == 200 and 'id="estimate-errors"' in response.content.decode()


def test_it_needs_a_signed_in_member_and_a_post(owner_client):
    assert Client().post(URL, {"body": SCRIPT}).status_code == 302
    assert owner_client.get(URL).status_code == 405


def test_the_editor_asks_for_the_estimate_as_the_creator_types(owner_client):
    page = owner_client.get(reverse("studio:script_new")).content.decode()
    assert f'hx-post="{URL}"' in page and 'hx-trigger="load, keyup changed delay:400ms"' in page
    assert 'id="estimate"' in page
