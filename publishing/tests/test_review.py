"""The review gate: finished videos of a series wait on the review page for owners and admins to approve them or
send them back with a note; a block can be regenerated (renders' regenerate) and the video comes back for review."""

import pytest
from django.contrib.messages import get_messages

from accounts.models import AuditEntry, Membership
from publishing.models import SeriesRow
from renders.models import RenderJob
from tests.factories import SeriesRowFactory, make_member
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db
Status = SeriesRow.Status


@pytest.fixture
def row(workspace):
    return SeriesRowFactory(series__workspace=workspace, title="Why tea", description="All about tea.")


def url(row, action: str) -> str:
    return f"/studio/series/{row.series.public_id}/rows/{row.number}/{action}/"


def member(workspace, role: str):
    user = make_member(f"{role}@example.com")
    Membership.objects.create(workspace=workspace, user=user, role=role)
    return client_working_in(user, workspace)


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_review_page_lists_videos_awaiting_review_with_their_disclosure(owner_client, row):
    SeriesRowFactory(series=row.series, status=Status.APPROVED, title="Already approved")
    page = owner_client.get("/studio/review/").content.decode()
    assert "Why tea" in page and "All about tea." in page
    assert "labelled as AI-generated" in page
    assert "Already approved" not in page
    assert f'action="{url(row, "approve")}"' in page


def test_an_owner_approves_a_video(owner_client, owner, row):
    response = owner_client.post(url(row, "approve"), {"next": "review"})
    assert response.status_code == 302 and response["Location"] == "/studio/review/"
    row.refresh_from_db()
    assert row.status == Status.APPROVED and row.reviewed_by == owner and row.reviewed_at is not None
    assert AuditEntry.objects.get(action="video.approved").summary == "Approved “Why tea” for publishing"
    assert (
        f'id="review-{row.series.public_id}-{row.number}"' not in owner_client.get("/studio/review/").content.decode()
    )


def test_approving_twice_says_there_is_nothing_to_approve(owner_client, row):
    owner_client.post(url(row, "approve"))
    response = owner_client.post(url(row, "approve"))
    assert flashed(response)[-1] == f"Row {row.number} is approved: there is nothing to approve."


def test_requesting_changes_sends_the_video_back_with_the_note(owner_client, row):
    owner_client.post(url(row, "changes"), {"note": "Say the brand name slower."})
    row.refresh_from_db()
    assert row.status == Status.CHANGES_REQUESTED and row.review_note == "Say the brand name slower."
    page = owner_client.get(f"/studio/series/{row.series.public_id}/").content.decode()
    assert "Review: Say the brand name slower." in page
    assert f'action="{url(row, "render")}"' in page  # the creator sends it on once the script is changed


def test_requesting_changes_needs_a_note(owner_client, row):
    response = owner_client.post(url(row, "changes"), {"note": "  "})
    assert flashed(response) == ["Say what to change (at most 2000 characters): the note goes to the creator."]
    row.refresh_from_db()
    assert row.status == Status.REVIEW


def test_an_admin_reviews_but_an_editor_only_watches_and_regenerates(workspace, row):
    assert member(workspace, "admin").post(url(row, "approve")).status_code == 302
    row.status = Status.REVIEW
    row.save()
    editor = member(workspace, "editor")
    response = editor.post(url(row, "approve"))
    assert response.status_code == 403
    assert "owners and admins can do this." in response.content.decode()
    page = editor.get("/studio/review/").content.decode()
    assert "Why tea" in page and url(row, "approve") not in page and "Regenerate" in page


def test_other_workspaces_see_nothing_and_get_404(outsider, row):
    other = client_working_in(outsider)
    assert "Why tea" not in other.get("/studio/review/").content.decode()
    assert other.post(url(row, "approve")).status_code == 404
    assert other.get(f"/studio/series/{row.series.public_id}/").status_code == 404


def test_regenerating_a_block_renders_again_and_the_video_comes_back_for_review(
    owner_client, row, settings, django_capture_on_commit_callbacks
):
    settings.RENDER_VERIFY = False
    first_job = row.job
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url(row, "blocks/0/regenerate"), {"next": "review"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.job != first_job and row.job.render_options.regenerate_blocks == (0,)
    assert row.job.status == RenderJob.Status.SUCCEEDED
    assert row.status == Status.REVIEW


def test_a_block_the_video_does_not_have_is_refused(owner_client, row):
    response = owner_client.post(url(row, "blocks/5/regenerate"))
    assert flashed(response) == ["This job has no block 6."]
    row.refresh_from_db()
    assert row.status == Status.REVIEW and row.job.status == RenderJob.Status.SUCCEEDED


def test_the_series_page_shows_each_rows_status_and_error_and_follows_it_live(owner_client, row):
    SeriesRowFactory(series=row.series, status=Status.INVALID, error="topic: give a topic", job=None, script=None)
    SeriesRowFactory(series=row.series, status=Status.WAITING)
    page = owner_client.get(f"/studio/series/{row.series.public_id}/").content.decode()
    assert "topic: give a topic" in page and "Awaiting review" in page
    assert f'ws-connect="/ws/series/{row.series.public_id}/"' in page
