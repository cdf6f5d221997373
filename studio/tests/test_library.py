"""The library: scripts, renders and campaigns listed with search, filters and pages; deleted and duplicated."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from billing.models import UsageEntry
from renders.models import RenderJob, RenderOutput
from scripts.models import Campaign, Script
from tests.factories import workspace_of

from .test_campaigns import picture

pytestmark = [pytest.mark.django_db, pytest.mark.storage]  # stored files: .ci/run runs these on a bucket too


@pytest.fixture
def workspace(owner):
    return workspace_of(owner)


def job_with_file(workspace, status=RenderJob.Status.SUCCEEDED, **fields) -> tuple[RenderJob, str]:
    job = RenderJob.objects.create(workspace=workspace, title="Ep 1", kind="audio", blocks=[], status=status, **fields)
    output = RenderOutput(job=job, kind="wav", size=4)
    output.file.save("narration.wav", ContentFile(b"RIFF"), save=True)
    return job, output.file.name


def test_the_script_library_searches_filters_and_pages(owner_client, workspace):
    shorts = Campaign.objects.create(workspace=workspace, name="Shorts")
    Script.objects.create(workspace=workspace, title="Coffee tips", body="Host: Brew it slowly.")
    Script.objects.create(workspace=workspace, campaign=shorts, title="Tea time", body="Host: Coffee is not tea.")
    for number in range(30):
        Script.objects.create(workspace=workspace, title=f"Filler {number}", body="Host: Hi.")
    url = reverse("studio:scripts")

    found = owner_client.get(url, {"q": "coffee"}).content.decode()
    assert "Coffee tips" in found and "Tea time" in found and "Filler" not in found
    filtered = owner_client.get(url, {"campaign": shorts.pk}).content.decode()
    assert "Tea time" in filtered and "Coffee tips" not in filtered
    first = owner_client.get(url).content.decode()
    assert "Page 1 of 2" in first and "32 in all" in first
    assert "Page 2 of 2" in owner_client.get(url, {"page": 2}).content.decode()


def test_the_campaign_list_searches_names_and_pages(owner_client, workspace, outsider):
    for number in range(27):
        Campaign.objects.create(workspace=workspace, name=f"Weekly tip {number:02}")
    Campaign.objects.create(workspace=workspace, name="Spring launch")
    Campaign.objects.create(workspace=workspace_of(outsider), name="Spring sale")
    url = reverse("studio:campaigns")
    found = owner_client.get(url, {"q": "spring"}).content.decode()
    assert "Spring launch" in found and "Weekly tip" not in found and "Spring sale" not in found
    first = owner_client.get(url).content.decode()
    assert "Page 1 of 2" in first and "28 in all" in first and 'name="campaign"' not in first
    assert "No campaign matches" in owner_client.get(url, {"q": "winter"}).content.decode()
    assert owner_client.get(url, {"q": "x" * 300}).status_code == 200  # a form error, never a 500


def test_the_library_shows_only_this_workspaces_scripts(owner_client, outsider_client, workspace):
    Script.objects.create(workspace=workspace, title="Secret plan", body="Host: Hi.")
    assert "Secret plan" not in outsider_client.get(reverse("studio:scripts"), {"q": "secret"}).content.decode()


def test_a_bad_filter_is_shown_as_a_form_error_not_a_500(owner_client):
    response = owner_client.get(reverse("studio:renders"), {"status": "exploded", "campaign": "x", "q": "x" * 300})
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()


def test_the_render_library_filters_by_status_and_campaign(owner_client, workspace):
    shorts = Campaign.objects.create(workspace=workspace, name="Shorts")
    script = Script.objects.create(workspace=workspace, campaign=shorts, title="In shorts", body="Host: Hi.")
    RenderJob.objects.create(workspace=workspace, title="Failed one", kind="audio", blocks=[], status="failed")
    RenderJob.objects.create(workspace=workspace, title="Shorts one", kind="audio", blocks=[], script=script)
    url = reverse("studio:renders")
    failed = owner_client.get(url, {"status": "failed"}).content.decode()
    assert "Failed one" in failed and "Shorts one" not in failed
    in_campaign = owner_client.get(url, {"campaign": shorts.pk}).content.decode()
    assert "Shorts one" in in_campaign and "Failed one" not in in_campaign


def test_deleting_a_script_asks_first_then_deletes_it_on_post(owner_client, workspace):
    script = Script.objects.create(workspace=workspace, title="Old", body="Host: Hi.")
    job, _ = job_with_file(workspace, script=script)
    url = reverse("studio:script_delete", args=[script.pk])
    assert 'id="confirm-delete"' in owner_client.get(url).content.decode()
    assert Script.objects.filter(pk=script.pk).exists()
    assert owner_client.post(url).status_code == 302
    assert not Script.objects.filter(pk=script.pk).exists()
    assert RenderJob.objects.filter(pk=job.pk).exists()  # its renders stay


def test_a_script_is_duplicated_with_its_text_and_campaign(owner_client, owner, workspace):
    shorts = Campaign.objects.create(workspace=workspace, name="Shorts")
    script = Script.objects.create(workspace=workspace, campaign=shorts, title="Ep", body="Host: Hi.", language="de")
    response = owner_client.post(reverse("studio:script_duplicate", args=[script.pk]))
    copy = Script.objects.exclude(pk=script.pk).get()
    assert response.url == reverse("studio:script", args=[copy.pk])
    assert (copy.title, copy.body, copy.campaign, copy.language, copy.created_by) == (
        "Ep (copy)", "Host: Hi.", shorts, "de", owner
    )  # fmt: skip


def test_duplicating_needs_a_post(owner_client, workspace):
    script = Script.objects.create(workspace=workspace, title="Ep", body="Host: Hi.")
    assert owner_client.get(reverse("studio:script_duplicate", args=[script.pk])).status_code == 405
    assert Script.objects.count() == 1


def test_deleting_a_finished_render_deletes_its_files_but_not_its_usage(owner_client, workspace):
    job, name = job_with_file(workspace)
    UsageEntry.objects.create(workspace=workspace, job=job, kind="narration", narration_seconds=12)
    assert owner_client.post(reverse("studio:render_delete", args=[job.public_id])).status_code == 302
    assert not RenderJob.objects.filter(pk=job.pk).exists() and not default_storage.exists(name)
    assert UsageEntry.objects.get().narration_seconds == 12


@pytest.mark.parametrize("status", [RenderJob.Status.QUEUED, RenderJob.Status.RUNNING])
def test_deleting_a_queued_or_running_render_cancels_it_first(owner_client, workspace, status, monkeypatch):
    from renders import actions

    cancelled = []
    real_cancel = actions.cancel_job
    monkeypatch.setattr(actions, "cancel_job", lambda job: cancelled.append(job.status) or real_cancel(job))
    job, name = job_with_file(workspace, status=status)
    owner_client.post(reverse("studio:render_delete", args=[job.public_id]))
    assert cancelled == [status]
    assert not RenderJob.objects.filter(pk=job.pk).exists() and not default_storage.exists(name)


def test_a_campaign_is_duplicated_with_its_own_copy_of_the_logo(owner_client, workspace, tmp_path):
    campaign = Campaign.objects.create(workspace=workspace, name="Shorts", primary_color="#112233")
    campaign.logo.save("logo.png", picture(tmp_path), save=True)
    owner_client.post(reverse("studio:campaign_duplicate", args=[campaign.pk]))
    copy = Campaign.objects.exclude(pk=campaign.pk).get()
    assert copy.name == "Shorts (copy)" and copy.primary_color == "#112233"
    assert copy.logo.name != campaign.logo.name and copy.logo.read() == campaign.logo.read()


def test_deleting_a_campaign_keeps_its_scripts_and_deletes_its_files(
    owner_client, workspace, tmp_path, django_capture_on_commit_callbacks
):
    campaign = Campaign.objects.create(workspace=workspace, name="Shorts")
    campaign.logo.save("logo.png", picture(tmp_path), save=True)
    script = Script.objects.create(workspace=workspace, campaign=campaign, title="Ep", body="Host: Hi.")
    url = reverse("studio:campaign_delete", args=[campaign.pk])
    assert "Shorts" in owner_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url)
    script.refresh_from_db()
    assert not Campaign.objects.exists() and script.campaign is None
    assert not default_storage.exists(campaign.logo.name)


@pytest.mark.parametrize(
    "name, args",
    [("script_delete", "script"), ("script_duplicate", "script"), ("campaign_delete", "campaign"),
     ("campaign_duplicate", "campaign"), ("render_delete", "job")],
)  # fmt: skip
def test_it_refuses_other_workspaces(outsider_client, workspace, name, args):
    objects = {
        "script": lambda: Script.objects.create(workspace=workspace, title="Mine", body="Host: Hi.").pk,
        "campaign": lambda: Campaign.objects.create(workspace=workspace, name="Mine").pk,
        "job": lambda: job_with_file(workspace)[0].public_id,
    }
    assert outsider_client.post(reverse(f"studio:{name}", args=[objects[args]()])).status_code == 404
    assert Script.objects.count() + Campaign.objects.count() + RenderJob.objects.count() == 1
