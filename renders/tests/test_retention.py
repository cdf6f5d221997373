"""Render files expire after the plan's days (counted from the job's end): the job page says when and offers
"Keep"; the daily run deletes the files of jobs not kept, and the page then says so."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from billing.models import Plan
from renders import retention
from renders.models import RenderJob, RenderOutput
from tests.factories import MembershipFactory, RenderJobFactory, put_on_plan, workspace_of
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db


def finished_video(workspace, days_ago: float) -> RenderJob:
    finished = timezone.now() - timedelta(days=days_ago)
    job = RenderJobFactory(workspace=workspace, kind="video", status="succeeded", finished_at=finished)
    output = RenderOutput(job=job, kind=RenderOutput.Kind.MP4, size=5)
    output.file.save("video.mp4", ContentFile(b"video"))
    return job


def page_of(user, job) -> str:
    return client_working_in(user).get(reverse("renders:job", args=[job.public_id])).content.decode()


def test_the_job_page_says_when_the_files_go_and_offers_to_keep_them(owner, plans):
    job = finished_video(workspace_of(owner), days_ago=2)  # Free keeps files 7 days
    page = page_of(owner, job)
    expires = (job.finished_at + timedelta(days=7)).strftime("%-d %b %Y")
    assert f"kept until <strong>{expires}</strong> (your plan keeps renders 7 days)" in page
    assert 'id="keep-button"' in page and "Keep this video" in page


def test_a_kept_video_survives_the_daily_run_and_one_not_kept_loses_its_files(owner, plans):
    workspace = workspace_of(owner)
    kept, expired, recent = (finished_video(workspace, days_ago=days) for days in (10, 10, 3))
    client_working_in(owner).post(reverse("renders:job_keep", args=[kept.public_id]), {"keep": "keep"})
    kept_file = kept.outputs.get().file.name

    assert retention.expire_outputs() == 1

    for job in (kept, expired, recent):
        job.refresh_from_db()
    assert kept.kept_at and kept.outputs.exists() and kept.outputs.get().file.storage.exists(kept_file)
    assert expired.files_expired_at and not expired.outputs.exists()
    assert recent.files_expired_at is None and recent.outputs.exists()
    assert "not deleted automatically" in page_of(owner, kept)
    assert "files were deleted on" in page_of(owner, expired) and "after your plan's 7 days" in page_of(owner, expired)
    assert workspace.audit_entries.filter(action="render.kept").exists()


def test_the_files_are_deleted_once_the_deletion_is_committed(owner, plans, django_capture_on_commit_callbacks):
    job = finished_video(workspace_of(owner), days_ago=8)
    name = job.outputs.get().file.name
    storage = job.outputs.get().file.storage
    with django_capture_on_commit_callbacks(execute=True):
        retention.expire_outputs()
    assert not storage.exists(name)


def test_a_plan_without_retention_keeps_files_forever(owner, plans):
    workspace = workspace_of(owner)
    Plan.objects.filter(slug="business").update(output_retention_days=None)
    put_on_plan(workspace, "business", status="active")
    job = finished_video(workspace, days_ago=1000)
    assert retention.expire_outputs() == 0
    assert retention.retention_of(job).expires_at is None and "kept until" not in page_of(owner, job)


def test_a_longer_plan_keeps_files_longer(owner, plans):
    workspace = workspace_of(owner)
    put_on_plan(workspace, "pro", status="active")  # 90 days
    job = finished_video(workspace, days_ago=30)
    assert retention.expire_outputs() == 0
    assert retention.retention_of(job) == retention.Retention(90, job.finished_at + timedelta(days=90))


def test_stopping_keeping_puts_the_files_back_on_the_plans_clock(owner, plans):
    job = finished_video(workspace_of(owner), days_ago=10)
    client = client_working_in(owner)
    client.post(reverse("renders:job_keep", args=[job.public_id]), {"keep": "keep"})
    client.post(reverse("renders:job_keep", args=[job.public_id]), {"keep": "stop"})
    assert retention.expire_outputs() == 1


def test_files_already_deleted_cannot_be_kept(owner, plans):
    job = finished_video(workspace_of(owner), days_ago=10)
    retention.expire_outputs()
    answer = client_working_in(owner).post(reverse("renders:job_keep", args=[job.public_id]), follow=True)
    assert "no longer there to keep" in answer.content.decode()
    job.refresh_from_db()
    assert job.kept_at is None


def test_a_viewer_sees_when_the_files_go_but_cannot_keep_them(owner, plans):
    workspace = workspace_of(owner)
    viewer = MembershipFactory(workspace=workspace, role=Membership.Role.VIEWER).user
    job = finished_video(workspace, days_ago=2)
    assert "kept until" in page_of(viewer, job) and "keep-button" not in page_of(viewer, job)
    answer = client_working_in(viewer).post(reverse("renders:job_keep", args=[job.public_id]))
    assert answer.status_code == 403
    job.refresh_from_db()
    assert job.kept_at is None


def test_the_billing_page_shows_the_workspaces_storage_use(owner, plans):
    workspace = workspace_of(owner)
    finished_video(workspace, days_ago=1)
    page = client_working_in(owner).get(reverse("billing:page")).content.decode()
    assert 'id="storage-use"' in page and "Render files" in page and "5\xa0bytes" in page
    assert "keeps render files 7 days after the render ends" in page
