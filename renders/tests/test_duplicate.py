"""Render again (duplicate): a finished or failed render becomes a new job with the same frozen script and options,
admitted as any render; from the Studio (job page, renders list) and the API (real narration)."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from billing.quota import adjust
from mediakit.text.script import Block
from renders.models import RenderJob
from renders.options import RenderOptions
from renders.services import create_job
from tests.factories import RenderJobFactory, api_workspace

pytestmark = pytest.mark.django_db


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def finished(owner, settings, django_capture_on_commit_callbacks) -> RenderJob:
    """A real narration job that succeeded, with a dictionary entry frozen on it."""
    settings.RENDER_VERIFY = False
    workspace = api_workspace(owner)
    options = RenderOptions(language="en", pronunciations={"Acme": "Ak me"}, formats=("mp3",))
    with django_capture_on_commit_callbacks(execute=True):
        job = create_job(
            workspace=workspace, blocks=[Block("Host", "Welcome to Acme, friends.")], title="Hello", user=owner,
            kind=RenderJob.Kind.AUDIO, options=options,
        )  # fmt: skip
    job.refresh_from_db()
    assert job.status == RenderJob.Status.SUCCEEDED, job.error
    return job


def test_rendering_again_makes_a_new_job_with_the_same_script_and_options_and_reuses_the_narration(
    owner_client, finished, django_capture_on_commit_callbacks
):
    page = owner_client.get(reverse("renders:job", args=[finished.public_id])).content.decode()
    assert reverse("renders:job_duplicate", args=[finished.public_id]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("renders:job_duplicate", args=[finished.public_id]))
    again = RenderJob.objects.exclude(pk=finished.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("renders:job", args=[again.public_id])
    assert flashed(response) == ["Rendering again with the same script and options; finished narration is reused."]
    assert again.blocks == finished.blocks and again.title == finished.title and again.kind == finished.kind
    assert again.render_options == finished.render_options  # voices, dictionary, formats as frozen
    assert again.status == RenderJob.Status.SUCCEEDED, again.error
    assert all(unit["cached"] for block in again.report["blocks"] for unit in block["units"])
    finished.refresh_from_db()
    assert finished.status == RenderJob.Status.SUCCEEDED  # the original is untouched


def test_a_failed_render_can_be_rendered_again_from_the_renders_list(owner, owner_client):
    failed = RenderJobFactory(workspace=api_workspace(owner), status=RenderJob.Status.FAILED, error="narrate: boom")
    assert (
        reverse("renders:job_duplicate", args=[failed.public_id])
        in owner_client.get("/studio/renders/").content.decode()
    )
    owner_client.post(reverse("renders:job_duplicate", args=[failed.public_id]))
    again = RenderJob.objects.exclude(pk=failed.pk).get()
    assert again.status == RenderJob.Status.QUEUED
    assert [Block.from_dict(block) for block in again.blocks] == [Block.from_dict(block) for block in failed.blocks]
    assert again.render_options.voices == failed.render_options.voices


def test_a_running_render_is_not_duplicated(owner, owner_client):
    running = RenderJobFactory(workspace=api_workspace(owner), status=RenderJob.Status.RUNNING)
    response = owner_client.post(reverse("renders:job_duplicate", args=[running.public_id]))
    assert flashed(response) == ["Wait for this render to finish before rendering it again."]
    assert RenderJob.objects.count() == 1


def test_without_quota_it_says_so_and_creates_nothing(owner, owner_client):
    workspace = api_workspace(owner)
    failed = RenderJobFactory(workspace=workspace, status=RenderJob.Status.FAILED, kind=RenderJob.Kind.VIDEO)
    adjust(workspace, narration_seconds=Decimal(0), video_renders=10_000, note="used up", staff=None)
    response = owner_client.post(reverse("renders:job_duplicate", args=[failed.public_id]), follow=True)
    assert "no video renders left this period" in response.content.decode()
    assert RenderJob.objects.count() == 1


def test_other_workspaces_get_404(outsider_client, finished):
    assert outsider_client.post(reverse("renders:job_duplicate", args=[finished.public_id])).status_code == 404
    assert RenderJob.objects.count() == 1


def test_the_api_renders_a_job_again(api, outsider_api, finished):
    response = api.post(f"/api/v1/jobs/{finished.public_id}/duplicate")
    assert response.status_code == 202, response.content
    again = RenderJob.objects.exclude(pk=finished.pk).get()
    assert response.json()["id"] == str(again.public_id) and again.blocks == finished.blocks
    assert outsider_api.post(f"/api/v1/jobs/{finished.public_id}/duplicate").status_code == 404
    running = RenderJobFactory(workspace=finished.workspace, status=RenderJob.Status.RUNNING)
    response = api.post(f"/api/v1/jobs/{running.public_id}/duplicate")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "not_finished", "message": "Wait for this render to finish before rendering it again.", "details": {}
    }  # fmt: skip


def test_the_api_answers_402_when_the_plan_cannot_take_it(api, finished):
    adjust(finished.workspace, narration_seconds=Decimal(1_000_000), video_renders=0, note="used up", staff=None)
    response = api.post(f"/api/v1/jobs/{finished.public_id}/duplicate")
    assert response.status_code == 402 and response.json()["error"]["code"] == "quota_exceeded"
    assert RenderJob.objects.count() == 1
