"""AI video in real renders: a scene stock did not fill gets a clip from the fake Runway, the first scene a
talking avatar from the fake HeyGen; the seconds made are counted in the plan's usage; a failure, missing
keys or a used-up allowance keep the generated look and say so."""

import pytest
from django.urls import reverse

from billing.models import AIVideoUsage, Plan
from billing.selectors import usage_summary
from renders import visuals
from renders.models import RenderJob
from renders.tests.test_visual_sources import SCRIPT, mean_colour_at, scene_middle
from scripts.models import Campaign
from tests import fake_stock

pytestmark = [pytest.mark.django_db]


def render(client, capture, settings, **options: str) -> RenderJob:
    settings.RENDER_VIDEO_HEIGHT = 240
    with capture(execute=True):
        client.post(
            reverse("studio:script_new"),
            {"title": "Views", "body": SCRIPT, "kind": "video", "aspect": "9:16", "render": "1", **options},
        )
    job = RenderJob.objects.get()
    assert job.status == RenderJob.Status.SUCCEEDED, job.error
    return job


def test_a_scene_stock_did_not_fill_gets_a_clip_made_from_its_words(
    owner_client, stock, ai_video, settings, tmp_path, django_capture_on_commit_callbacks
):
    stock.add("ocean", "ocean.mp4", fake_stock.tiny_mp4("blue"))
    job = render(owner_client, django_capture_on_commit_callbacks, settings, ai_video="on")

    assert [(v["scene"], v["source"]) for v in job.report["visuals"]] == [(1, "pexels"), (2, "runway")]
    (asked,) = ai_video.submitted("runway")
    assert "Snowy mountains rise high above the valley." in asked["promptText"]
    red = mean_colour_at(job, tmp_path, scene_middle(job, 2))
    assert red[0] > 150 and red[1] < 60 and red[2] < 60  # the fake's clip is on screen
    assert job.report["ai_video_seconds"] == {"runway": 4.0}
    assert [(u.provider, float(u.seconds), u.job_id) for u in AIVideoUsage.objects.all()] == [("runway", 4.0, job.pk)]
    assert usage_summary(job.workspace)["ai_video_seconds"]["used"] == 4.0
    page = owner_client.get(reverse("renders:job", args=[job.public_id])).content.decode()
    assert "AI-generated video (Runway)" in page and "Generated with Runway" in page
    assert "AI video made for this render (counted in the plan):\n    runway 4 s" in page


def test_the_avatar_intro_speaks_the_first_scenes_narration(
    owner_client, ai_video, settings, django_capture_on_commit_callbacks
):
    job = render(owner_client, django_capture_on_commit_callbacks, settings, avatar_intro="on")
    assert [(v["scene"], v["source"]) for v in job.report["visuals"]] == [(1, "heygen")]
    assert len(ai_video.uploads) == 1 and ai_video.submitted("runway") == []
    assert set(job.report["ai_video_seconds"]) == {"heygen"}


def test_a_provider_error_keeps_the_generated_look_and_nothing_is_counted(
    owner_client, ai_video, settings, django_capture_on_commit_callbacks
):
    ai_video.status = 429
    job = render(owner_client, django_capture_on_commit_callbacks, settings, ai_video="on")
    assert job.report.get("visuals", []) == []
    assert "scene 1: runway" in job.report["visual_notes"][0] and "rate limit" in job.report["visual_notes"][0]
    assert not AIVideoUsage.objects.exists()


def test_a_used_up_allowance_asks_no_provider(
    owner_client, owner, ai_video, settings, django_capture_on_commit_callbacks
):
    Plan.objects.filter(pk=Plan.objects.free().pk).update(max_ai_video_seconds=0)
    job = render(owner_client, django_capture_on_commit_callbacks, settings, ai_video="on")
    assert job.report["visual_notes"] == ["the plan has no AI video seconds left this period; generated looks kept"]
    assert ai_video.requests == []


def test_without_keys_the_studio_and_the_report_say_ai_video_is_off(owner_client, owner, settings):
    settings.RUNWAY_API_KEY = settings.HEYGEN_API_KEY = ""
    page = owner_client.get(reverse("studio:script_new")).content.decode()
    assert "off: RUNWAY_API_KEY is not set" in page and "off: HEYGEN_API_KEY and HEYGEN_AVATAR_ID are not set" in page
    workspace = owner.memberships.get().workspace
    found, notes = visuals.visuals_for(workspace, settings.RENDER_WORK_DIR, ai_video=True, avatar_intro=True)
    assert found is None
    assert notes == [
        "AI video is off: RUNWAY_API_KEY is not set; generated looks kept",
        "the avatar intro is off: HEYGEN_API_KEY and HEYGEN_AVATAR_ID are not both set",
    ]


def test_the_storyboard_editor_swaps_a_scene_to_ai_video_made_when_the_video_renders(
    owner_client, ai_video, settings, tmp_path, django_capture_on_commit_callbacks
):
    job = render(owner_client, django_capture_on_commit_callbacks, settings, prepare="1")
    page = owner_client.get(reverse("renders:job", args=[job.public_id])).content.decode()
    assert "Make with AI video" in page and "off: RUNWAY_API_KEY" not in page
    owner_client.post(
        reverse("renders:scene_save", args=[job.public_id, 2]),
        {"s2-kind": "color", "s2-color": "#1e293b", "s2-color2": "#1e293b", "s2-title": "", "s2-ai_video": "on"},
    )
    job.refresh_from_db()
    assert (
        job.edited_storyboard["scenes"][1]["ai_video"] is True and "ai_video" not in job.edited_storyboard["scenes"][0]
    )

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("renders:storyboard_render", args=[job.public_id]))
    video = RenderJob.objects.get(kind=RenderJob.Kind.VIDEO)
    assert video.status == RenderJob.Status.SUCCEEDED, video.error
    assert [(v["scene"], v["source"]) for v in video.report["visuals"]] == [(2, "runway")]
    assert len(ai_video.submitted("runway")) == 1  # only the marked scene
    red = mean_colour_at(video, tmp_path, scene_middle(video, 2))
    assert red[0] > 150 and red[1] < 60 and red[2] < 60
    assert AIVideoUsage.objects.get().job_id == video.pk


def test_a_campaigns_ai_video_without_a_key_renders_with_generated_looks_and_says_so(
    owner_client, owner, settings, django_capture_on_commit_callbacks
):
    settings.RUNWAY_API_KEY = ""
    campaign = Campaign.objects.create(workspace=owner.memberships.get().workspace, name="AI", ai_video=True)
    # The disabled box posts nothing: the campaign's choice stands, and the render notes why it made no clip.
    job = render(owner_client, django_capture_on_commit_callbacks, settings, campaign=str(campaign.pk))
    assert job.render_options.ai_video is True and job.report.get("visuals", []) == []
    assert "AI video is off: RUNWAY_API_KEY is not set; generated looks kept" in job.report["visual_notes"]
    assert not AIVideoUsage.objects.exists()
