"""The library over the API: scripts and campaigns duplicated, campaigns deleted with their files, jobs searched
and filtered by campaign."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from scripts.models import Campaign, Script
from tests.factories import CampaignFactory, RenderJobFactory, ScriptFactory, VoiceFactory, workspace_of

from .test_auth import error_of

pytestmark = pytest.mark.django_db


def test_a_script_is_duplicated_with_its_text_language_campaign_and_voices(api, owner):
    workspace = workspace_of(owner)
    voice = VoiceFactory(workspace=workspace)
    script = ScriptFactory(
        workspace=workspace, campaign=CampaignFactory(workspace=workspace), title="Ep 1", language="de",
        voices={"Host": f"voice:{voice.pk}"},
    )  # fmt: skip
    response = api.post(f"/api/v1/scripts/{script.pk}/duplicate")
    assert response.status_code == 201, response.json()
    copy = Script.objects.get(pk=response.json()["id"])
    assert copy.title == "Ep 1 (copy)" and response.json()["title"] == "Ep 1 (copy)"
    assert (copy.body, copy.language, copy.campaign, copy.voices) == (
        script.body, "de", script.campaign, script.voices,
    )  # fmt: skip


def test_a_campaign_is_duplicated(api, owner):
    campaign = CampaignFactory(workspace=workspace_of(owner), name="Spring", primary_color="#123456")
    response = api.post(f"/api/v1/campaigns/{campaign.pk}/duplicate")
    assert response.status_code == 201 and response.json()["name"] == "Spring (copy)"
    assert Campaign.objects.get(pk=response.json()["id"]).primary_color == "#123456"


def test_deleting_a_campaign_deletes_its_files_and_keeps_its_scripts(api, owner, django_capture_on_commit_callbacks):
    campaign = CampaignFactory(workspace=workspace_of(owner))
    campaign.logo.save("logo.png", ContentFile(b"not really a picture"))
    script = ScriptFactory(workspace=campaign.workspace, campaign=campaign)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/campaigns/{campaign.pk}").status_code == 204
    assert not default_storage.exists(campaign.logo.name)
    script.refresh_from_db()
    assert script.campaign is None


def test_another_workspaces_script_or_campaign_is_not_duplicated(api, outsider):
    theirs = ScriptFactory(workspace=workspace_of(outsider))
    assert api.post(f"/api/v1/scripts/{theirs.pk}/duplicate").status_code == 404
    campaign = CampaignFactory(workspace=workspace_of(outsider))
    assert api.post(f"/api/v1/campaigns/{campaign.pk}/duplicate").status_code == 404
    assert Script.objects.count() == 1 and Campaign.objects.count() == 1


def test_jobs_are_searched_by_title_and_filtered_by_campaign(api, owner):
    workspace = workspace_of(owner)
    campaign = CampaignFactory(workspace=workspace)
    in_campaign = RenderJobFactory(
        workspace=workspace, title="Coffee tips", script=ScriptFactory(workspace=workspace, campaign=campaign)
    )
    RenderJobFactory(workspace=workspace, title="Tea time")
    titles = [job["title"] for job in api.get("/api/v1/jobs", {"q": "coffee"}).json()["results"]]
    assert titles == ["Coffee tips"]
    by_campaign = api.get("/api/v1/jobs", {"campaign": campaign.pk}).json()["results"]
    assert [job["id"] for job in by_campaign] == [str(in_campaign.public_id)]


@pytest.mark.parametrize("query", [{"q": "x" * 201}, {"q": "a\x00b"}, {"campaign": "spring"}, {"campaign": "0"}])
def test_a_bad_job_search_is_a_400(api, query):
    response = api.get("/api/v1/jobs", query)
    assert response.status_code == 400 and set(query) & set(error_of(response)["details"])
