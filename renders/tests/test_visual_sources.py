"""Stock footage and the media library in real renders: scenes get on-topic clips from the fake Pexels and
Pixabay servers, the job page credits them, and every source error keeps the generated look."""

import av
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from renders import visuals
from renders.models import MediaItem, RenderJob, RenderOutput
from tests import fake_stock

pytestmark = [pytest.mark.django_db]
SCRIPT = "Host: The ocean is calm and blue tonight.\nGuest: Snowy mountains rise high above the valley."


def render(client, capture, settings) -> RenderJob:
    settings.RENDER_VIDEO_HEIGHT = 240
    with capture(execute=True):
        client.post(
            reverse("studio:script_new"),
            {"title": "Views", "body": SCRIPT, "kind": "video", "aspect": "9:16", "render": "1"},
        )
    job = RenderJob.objects.get()
    assert job.status == RenderJob.Status.SUCCEEDED, job.error
    return job


def mean_colour_at(job: RenderJob, tmp_path, seconds: float) -> np.ndarray:
    mp4 = tmp_path / "video.mp4"
    mp4.write_bytes(job.outputs.get(kind=RenderOutput.Kind.MP4).file.read())
    with av.open(str(mp4)) as container:
        image = None
        for frame in container.decode(video=0):
            image = frame.to_ndarray(format="rgb24")
            if frame.time is not None and frame.time >= seconds:
                break
    return image[: image.shape[0] // 4].reshape(-1, 3).mean(0)  # the top quarter: away from the captions


def scene_middle(job: RenderJob, number: int) -> float:
    import json

    board = json.loads(job.outputs.get(kind=RenderOutput.Kind.STORYBOARD).file.read())
    scene = board["scenes"][number - 1]
    return (scene["start"] + scene["end"]) / 2


def test_scenes_get_on_topic_stock_footage_and_the_job_page_credits_it(
    owner_client, stock, settings, tmp_path, django_capture_on_commit_callbacks
):
    stock.add("ocean", "ocean.mp4", fake_stock.tiny_mp4("blue"))
    stock.add("mountains", "mountains.mp4", fake_stock.tiny_mp4("green"))
    job = render(owner_client, django_capture_on_commit_callbacks, settings)

    assert [(v["scene"], v["source"], v["kind"]) for v in job.report["visuals"]] == [
        (1, "pexels", "video"),
        (2, "pexels", "video"),
    ]
    assert job.report["visuals"][0]["id"] != job.report["visuals"][1]["id"]
    blue, green = (mean_colour_at(job, tmp_path, scene_middle(job, n)) for n in (1, 2))
    assert blue[2] > 150 and blue[0] < 60 and green[1] > 80 and green[0] < 60 and green[2] < 60
    page = owner_client.get(reverse("renders:job", args=[job.public_id])).content.decode()
    assert "Video by Ana Lens on Pexels" in page and "Pexels License" in page
    # The delivered storyboard names the cached stock files by storage name, for the editor to reuse.
    board = job.outputs.get(kind=RenderOutput.Kind.STORYBOARD).file.read().decode()
    assert f"workspaces/{job.workspace_id}/stock/pexels-video-" in board


def test_with_a_refused_key_and_a_rate_limit_the_render_keeps_its_generated_looks(
    owner_client, stock, settings, django_capture_on_commit_callbacks
):
    stock.add("ocean", "ocean.mp4", fake_stock.tiny_mp4("blue"))
    settings.PEXELS_API_KEY = "wrong"
    stock.overrides["/pixabay/api/videos/"] = (429, {"error": "rate limit"})
    job = render(owner_client, django_capture_on_commit_callbacks, settings)
    assert "visuals" not in job.report or job.report["visuals"] == []
    assert "scene 1: Pexels refused the API key (401)" in job.report["visual_notes"]
    assert "scene 1: Pixabay rate limit reached (429)" in job.report["visual_notes"]
    page = owner_client.get(reverse("renders:job", args=[job.public_id])).content.decode()
    assert "Scenes that kept their generated look" in page


def test_without_keys_or_library_no_source_is_asked(owner, settings):
    settings.PEXELS_API_KEY = settings.PIXABAY_API_KEY = ""
    workspace = owner.memberships.get().workspace
    assert visuals.visuals_for(workspace, settings.RENDER_WORK_DIR) == (None, [])


def test_library_media_come_before_stock(owner_client, owner, stock, settings, django_capture_on_commit_callbacks):
    stock.add("ocean", "ocean.mp4", fake_stock.tiny_mp4("blue"))
    workspace = owner.memberships.get().workspace
    upload = SimpleUploadedFile("calm_ocean.jpg", fake_stock.tiny_jpeg("red"))
    item = visuals.add_to_library(workspace, upload, "photo", "Sea, waves", owner, width=320, height=568)
    assert item.tags == ["sea", "waves", "calm", "ocean"]
    job = render(owner_client, django_capture_on_commit_callbacks, settings)
    assert job.report["visuals"][0]["source"] == "library"
    assert MediaItem.objects.get().file.name in job.outputs.get(kind=RenderOutput.Kind.STORYBOARD).file.read().decode()


def test_the_workspaces_library_is_searched_by_meaning_too(owner):
    workspace = owner.memberships.get().workspace
    upload = SimpleUploadedFile("calm_ocean.jpg", fake_stock.tiny_jpeg("red"))
    item = visuals.add_to_library(workspace, upload, "photo", "waves", owner, width=320, height=568)
    library = visuals.library_of(workspace.pk)
    assert [c.id for c in library.search("sea", "9:16")] == [str(item.pk)]  # no tag says "sea"
    assert library.search("spreadsheet", "9:16") == []


@pytest.fixture
def prepared(owner_client, stock, settings, django_capture_on_commit_callbacks) -> RenderJob:
    """A prepared storyboard whose scenes got stock footage from the fake Pexels."""
    settings.RENDER_VIDEO_HEIGHT = 240
    stock.add("ocean", "ocean.mp4", fake_stock.tiny_mp4("blue"))
    stock.add("mountains", "mountains.mp4", fake_stock.tiny_mp4("green"))
    stock.add("mountains", "peak.jpg", fake_stock.tiny_jpeg("white"))
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            reverse("studio:script_new"),
            {"title": "Views", "body": SCRIPT, "kind": "video", "aspect": "9:16", "prepare": "1"},
        )
    job = RenderJob.objects.get()
    assert job.status == RenderJob.Status.SUCCEEDED, job.error
    return job


def test_the_editor_shows_each_scenes_chosen_visual_and_its_credit(owner_client, prepared):
    page = owner_client.get(reverse("renders:job", args=[prepared.public_id])).content.decode()
    assert "Now: pexels · Video by Ana Lens on Pexels" in page
    assert reverse("renders:scene_alternatives", args=[prepared.public_id, 2]) in page


def test_alternatives_come_from_every_source_and_a_search_can_name_one(owner_client, prepared):
    url = reverse("renders:scene_alternatives", args=[prepared.public_id, 2])
    page = owner_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-source="library"' in page and 'data-source="pexels"' in page and 'data-source="pixabay"' in page
    assert "Image by Dan Still on Pixabay" in page
    searched = owner_client.get(url, {"q": "ocean", "source": "pixabay"}).content.decode()
    assert 'data-source="pexels"' not in searched and "Video by Cara Film on Pixabay" in searched


def test_one_click_swaps_a_scenes_visual_and_the_video_credits_it(
    owner_client, prepared, django_capture_on_commit_callbacks
):
    response = owner_client.post(
        reverse("renders:scene_swap", args=[prepared.public_id, 2]),
        {"source": "pixabay", "id": "photo-4002", "q": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.content.decode()
    assert "Now: pixabay · Image by Dan Still on Pixabay" in response.content.decode()
    prepared.refresh_from_db()
    background = prepared.edited_storyboard["scenes"][1]["background"]
    assert background == {
        "kind": "image",
        "colors": [],
        "path": f"workspaces/{prepared.workspace_id}/stock/pixabay-photo-4002.jpg",
    }
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("renders:storyboard_render", args=[prepared.public_id]))
    video = RenderJob.objects.get(kind=RenderJob.Kind.VIDEO)
    assert video.status == RenderJob.Status.SUCCEEDED, video.error
    assert [(c["scene"], c["attribution"]) for c in video.report["visuals"]] == [
        (1, "Video by Ana Lens on Pexels"),
        (2, "Image by Dan Still on Pixabay"),
    ]


def test_a_swap_to_something_no_longer_offered_says_so_and_changes_nothing(owner_client, prepared):
    response = owner_client.post(
        reverse("renders:scene_swap", args=[prepared.public_id, 1]),
        {"source": "pexels", "id": "video-999999"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400 and "no longer offered" in response.content.decode()
    prepared.refresh_from_db()
    assert prepared.edited_storyboard is None


def test_other_workspaces_cannot_see_or_swap_alternatives(outsider_client, prepared):
    url = reverse("renders:scene_alternatives", args=[prepared.public_id, 1])
    assert outsider_client.get(url).status_code == 404
    swap = reverse("renders:scene_swap", args=[prepared.public_id, 1])
    assert outsider_client.post(swap, {"source": "pexels", "id": "video-1000"}).status_code == 404


def test_deleting_the_workspace_deletes_its_stock_cache_and_library_files(
    owner_client, owner, stock, settings, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from accounts import workspaces

    stock.add("ocean", "ocean.mp4", fake_stock.tiny_mp4("blue"))
    workspace = owner.memberships.get().workspace
    # Named after nothing the script says (a "sea" picture now matches the ocean scene by meaning).
    upload = SimpleUploadedFile("team.jpg", fake_stock.tiny_jpeg())
    item = visuals.add_to_library(workspace, upload, "photo", "", owner)
    job = render(owner_client, django_capture_on_commit_callbacks, settings)
    cached = f"workspaces/{workspace.pk}/stock/pexels-{job.report['visuals'][-1]['id']}.mp4"
    assert default_storage.exists(cached) and default_storage.exists(item.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        workspaces.delete(workspace, workspace.name, by=owner)
    assert not default_storage.exists(cached) and not default_storage.exists(cached[:-4] + ".json")
    assert not default_storage.exists(item.file.name)


def test_a_picture_uploaded_from_a_scene_joins_the_library_and_is_used_there(owner_client, prepared):
    response = owner_client.post(
        reverse("renders:scene_library_upload", args=[prepared.public_id, 1]),
        {"file": SimpleUploadedFile("harbour_lights.jpg", fake_stock.tiny_jpeg("yellow")), "tags": "night"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.content.decode()
    item = MediaItem.objects.get()
    assert item.tags == ["night", "harbour", "lights"]
    prepared.refresh_from_db()
    assert prepared.edited_storyboard["scenes"][0]["background"]["path"] == item.file.name
    refused = owner_client.post(
        reverse("renders:scene_library_upload", args=[prepared.public_id, 1]),
        {"file": SimpleUploadedFile("x.jpg", b"nope")},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 400 and "not a picture we can read" in refused.content.decode()
