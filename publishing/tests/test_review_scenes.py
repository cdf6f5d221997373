"""Regenerating a scene from the review page: the scene gets a different visual (the next one its sources offer,
else another generated look) and the video renders again from its storyboard with the same narration, paying no
narration again; the row comes back for review. Real narration, storyboard and ffmpeg; fake stock servers."""

import json
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from billing.quota import adjust
from mediakit.text.script import Block
from mediakit.video.looks import NAMES as LOOK_NAMES
from publishing import services
from publishing.models import SeriesRow
from renders import storyboards
from renders.models import RenderJob, RenderOutput
from renders.options import RenderOptions
from renders.services import create_job
from tests import fake_stock
from tests.factories import SeriesRowFactory
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db
Status = SeriesRow.Status
BLOCKS = [
    Block("Host", "The ocean is calm and blue tonight."),
    Block("Guest", "Snowy mountains rise high above the valley."),
]


def reviewed_row(workspace, owner, settings, capture) -> SeriesRow:
    """A series row awaiting review whose video was really rendered."""
    settings.RENDER_VIDEO_HEIGHT = 240
    settings.RENDER_VERIFY = False
    row = SeriesRowFactory(series__workspace=workspace, title="Views")
    with capture(execute=True):
        job = create_job(
            workspace=workspace, blocks=BLOCKS, title="Views", user=owner, script=row.script,
            options=RenderOptions(aspect="9:16"),
        )  # fmt: skip
    job.refresh_from_db()
    assert job.status == RenderJob.Status.SUCCEEDED, job.error
    row.job = job
    row.save(update_fields=["job"])
    return row


def board_of(job: RenderJob) -> dict:
    return json.loads(job.outputs.get(kind=RenderOutput.Kind.STORYBOARD).file.read())


def url(row: SeriesRow, scene: int) -> str:
    return f"/studio/series/{row.series.public_id}/rows/{row.number}/scenes/{scene}/regenerate/"


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_scene_gets_the_next_stock_clip_the_video_does_not_show_and_no_narration_is_paid_again(
    workspace, owner, stock, settings, django_capture_on_commit_callbacks
):
    stock.add("ocean", "ocean.mp4", fake_stock.tiny_mp4("blue"))
    stock.add("ocean", "ocean-night.mp4", fake_stock.tiny_mp4("navy"))
    stock.add("ocean", "ocean-waves.mp4", fake_stock.tiny_mp4("teal"))
    stock.add("mountains", "mountains.mp4", fake_stock.tiny_mp4("green"))
    row = reviewed_row(workspace, owner, settings, django_capture_on_commit_callbacks)
    first = row.job
    before = [scene["background"]["path"] for scene in board_of(first)["scenes"]]
    assert all(path and "/stock/" in path for path in before)

    with django_capture_on_commit_callbacks(execute=True):
        job = services.regenerate_scene(row, 1, owner)

    job.refresh_from_db()
    row.refresh_from_db()
    assert job.status == RenderJob.Status.SUCCEEDED, job.error
    assert row.job == job and row.status == Status.REVIEW  # back for review
    after = [scene["background"]["path"] for scene in board_of(job)["scenes"]]
    assert after[0] not in before and f"workspaces/{workspace.pk}/stock/" in after[0]
    assert after[1] == before[1]  # the other scene is untouched
    assert job.render_options.storyboard_of == str(first.public_id) and job.render_options.narration_paid_before
    assert job.usage.narration_seconds == 0 and job.usage.video_renders == 1
    # Asked again, the scene goes on to the next offer rather than back to the first.
    again = storyboards.next_visual(job, 1).scenes[0].background.path
    assert again not in (before[0], after[0]) and f"workspaces/{workspace.pk}/stock/" in again


def test_without_sources_a_scene_gets_the_next_generated_look_from_the_review_page(
    workspace, owner, owner_client, settings, django_capture_on_commit_callbacks
):
    row = reviewed_row(workspace, owner, settings, django_capture_on_commit_callbacks)
    first = row.job
    look = board_of(first)["scenes"][1]["background"]["look"]
    page = owner_client.get("/studio/review/").content.decode()
    assert "Regenerate a scene" in page and f'action="{url(row, 2)}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url(row, 2), {"next": "review"})

    assert response.status_code == 302 and response["Location"] == "/studio/review/"
    assert flashed(response) == ["Rendering scene 2 of “Views” with a new visual; it comes back for review."]
    row.refresh_from_db()
    assert row.job != first and row.job.status == RenderJob.Status.SUCCEEDED, row.job.error
    assert row.status == Status.REVIEW
    scenes = board_of(row.job)["scenes"]
    assert scenes[1]["background"]["kind"] == "motion"
    assert scenes[1]["background"]["look"] == LOOK_NAMES[(LOOK_NAMES.index(look) + 1) % len(LOOK_NAMES)]
    assert scenes[0] == board_of(first)["scenes"][0]


def test_a_scene_the_video_does_not_have_is_refused_and_nothing_is_created(
    workspace, owner, owner_client, settings, django_capture_on_commit_callbacks
):
    row = reviewed_row(workspace, owner, settings, django_capture_on_commit_callbacks)
    jobs = RenderJob.objects.count()
    for scene in (0, 9):
        response = owner_client.post(url(row, scene), {"next": "review"})
        assert flashed(response)[-1] == f"Row {row.number}, scene {scene}: there is no such scene"
    row.refresh_from_db()
    assert RenderJob.objects.count() == jobs and row.status == Status.REVIEW
    assert row.job.edited_storyboard is None


def test_without_video_renders_left_it_says_so_and_the_storyboard_is_unchanged(
    workspace, owner, owner_client, settings, django_capture_on_commit_callbacks
):
    row = reviewed_row(workspace, owner, settings, django_capture_on_commit_callbacks)
    adjust(workspace, narration_seconds=Decimal(0), video_renders=3, note="used up", staff=None)  # Free: 3
    jobs = RenderJob.objects.count()
    response = owner_client.post(url(row, 1), {"next": "review"})
    assert "no video renders left this period" in flashed(response)[-1]
    row.refresh_from_db()
    assert RenderJob.objects.count() == jobs and row.status == Status.REVIEW
    assert row.job.edited_storyboard is None  # the new visual went with the render that was refused


def test_a_row_not_in_review_or_without_a_storyboard_is_refused(workspace, owner_client):
    rendering = SeriesRowFactory(series__workspace=workspace, status=Status.RENDERING)
    response = owner_client.post(url(rendering, 1))
    assert flashed(response) == [f"Row {rendering.number} has no finished video to change."]
    no_board = SeriesRowFactory(series__workspace=workspace)  # its job has no outputs
    response = owner_client.post(url(no_board, 1))
    assert flashed(response)[-1] == f"Row {no_board.number}, scene 1: there is no such scene"
    assert RenderJob.objects.count() == 2


def test_other_workspaces_get_404(workspace, outsider):
    row = SeriesRowFactory(series__workspace=workspace)
    assert client_working_in(outsider).post(url(row, 1)).status_code == 404
    row.refresh_from_db()
    assert row.status == Status.REVIEW and RenderJob.objects.count() == 1
