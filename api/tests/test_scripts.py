"""Saved scripts over the API: CRUD in the key's workspace, search and filters, script errors by line or block."""

import pytest

from renders.models import RenderJob
from scripts.models import Campaign, Script
from tests.factories import workspace_of

from .test_auth import error_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/scripts"


def test_a_script_is_saved_shown_changed_and_deleted(api, owner):
    created = api.post(URL, {"title": "Ep 1", "body": "Host: Hello.\n[pause 1s]\nGuest: Hi!"}, format="json")
    assert created.status_code == 201, created.json()
    script = created.json()
    saved = Script.objects.get(pk=script["id"])
    assert saved.workspace == workspace_of(owner) and saved.created_by == owner and saved.language == "en"
    assert [block["speaker"] for block in script["parsed_blocks"]] == ["Host", "Guest"]
    assert script["parsed_blocks"][0]["pause_after"] == 1.0

    changed = api.patch(f"{URL}/{script['id']}", {"title": "Episode 1"}, format="json")
    assert changed.status_code == 200 and changed.json()["body"] == saved.body
    replaced = api.put(f"{URL}/{script['id']}", {"title": "Ep 2", "body": "Host: Bye."}, format="json")
    assert replaced.status_code == 200 and Script.objects.get(pk=script["id"]).body == "Host: Bye."
    assert api.get(f"{URL}/{script['id']}").json()["title"] == "Ep 2"

    assert api.delete(f"{URL}/{script['id']}").status_code == 204
    assert not Script.objects.filter(pk=script["id"]).exists()


def test_json_blocks_are_stored_in_the_text_format(api):
    blocks = [{"speaker": "Host", "text": "Welcome back.", "pause_after": 0.5}, {"speaker": "Guest", "text": "Thanks."}]
    response = api.post(URL, {"title": "JSON", "blocks": blocks}, format="json")
    assert response.status_code == 201, response.json()
    assert Script.objects.get(pk=response.json()["id"]).body == "Host: Welcome back.\n[pause 0.5s]\nGuest: Thanks."


def test_a_bad_script_is_400_naming_the_line(api):
    response = api.post(URL, {"title": "Bad", "body": "Host: Hi.\n[pause forever]\nno speaker"}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid" and error["message"].startswith("body: line 2: cannot read the pause length")
    assert not Script.objects.exists()


def test_bad_blocks_are_400_naming_the_block(api):
    blocks = [{"speaker": "Host", "text": "Hi."}, {"speaker": "Ho:st", "text": "Hello."}]
    response = api.post(URL, {"title": "Bad", "blocks": blocks}, format="json")
    assert response.status_code == 400 and "block 2: the speaker" in error_of(response)["message"]
    assert not Script.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": "No script"}, "body"),
        ({"title": "Both", "body": "Host: Hi.", "blocks": [{"speaker": "Host", "text": "Hi."}]}, "body"),
        ({"title": " ", "body": "Host: Hi."}, "title"),
        ({"title": "T" * 201, "body": "Host: Hi."}, "title"),
        ({"title": "Lang", "language": "english!", "body": "Host: Hi."}, "language"),
        ({"title": "Huge", "body": "Host: " + "word " * 10_000}, "body"),
        ({"title": "Campaign", "body": "Host: Hi.", "campaign": 999_999}, "campaign"),
    ],
)
def test_bad_input_is_400_with_a_message_naming_the_field(api, data, field):
    response = api.post(URL, data, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert field in error["details"] and error["message"].startswith(f"{field}: ")
    assert not Script.objects.exists()


def test_another_workspaces_script_is_404_and_never_listed(api, outsider_api, owner):
    script = Script.objects.create(workspace=workspace_of(owner), title="Mine", body="Host: Secret plan.")
    for response in (
        outsider_api.get(f"{URL}/{script.pk}"),
        outsider_api.patch(f"{URL}/{script.pk}", {"title": "Theirs"}, format="json"),
        outsider_api.delete(f"{URL}/{script.pk}"),
    ):
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert outsider_api.get(URL, {"q": "secret"}).json()["count"] == 0
    assert Script.objects.get(pk=script.pk).title == "Mine"


def test_another_workspaces_campaign_cannot_be_used(api, outsider):
    theirs = Campaign.objects.create(workspace=workspace_of(outsider), name="Theirs")
    response = api.post(URL, {"title": "T", "body": "Host: Hi.", "campaign": theirs.pk}, format="json")
    assert response.status_code == 400 and "campaign" in error_of(response)["details"]


def test_the_list_searches_titles_and_bodies_and_filters_by_campaign(api, owner):
    workspace = workspace_of(owner)
    shorts = Campaign.objects.create(workspace=workspace, name="Shorts")
    Script.objects.create(workspace=workspace, title="Coffee tips", body="Host: Brew it slowly.")
    Script.objects.create(workspace=workspace, campaign=shorts, title="Tea", body="Host: Coffee is not tea.")
    Script.objects.create(workspace=workspace, campaign=shorts, title="Water", body="Host: Drink more.")

    def titles(**params) -> list[str]:
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return sorted(script["title"] for script in response.json()["results"])

    assert titles() == ["Coffee tips", "Tea", "Water"]
    assert titles(q="COFFEE") == ["Coffee tips", "Tea"]
    assert titles(campaign=shorts.pk) == ["Tea", "Water"]
    assert titles(q="coffee", campaign=shorts.pk) == ["Tea"]
    page = api.get(URL, {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"q": "x" * 201}, "q"),
        ({"q": "tea\x00"}, "q"),  # PostgreSQL cannot compare text with a NUL in it
        ({"campaign": "shorts"}, "campaign"),
        ({"campaign": "²"}, "campaign"),
        ({"campaign": str(2**63)}, "campaign"),
    ],
)
def test_bad_list_parameters_are_400(api, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400 and field in error_of(response)["details"]


def test_deleting_a_script_keeps_its_renders(api, owner):
    workspace = workspace_of(owner)
    script = Script.objects.create(workspace=workspace, title="Ep", body="Host: Hi.")
    job = RenderJob.objects.create(workspace=workspace, script=script, title="Ep", kind="audio", blocks=[])
    assert api.delete(f"{URL}/{script.pk}").status_code == 204
    job.refresh_from_db()
    assert job.script is None and job.title == "Ep"
