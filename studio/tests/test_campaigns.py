"""Campaigns: the brand kit pages, upload checks, and what a campaign script's render is asked for."""

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mediakit.ffmpeg import FFMPEG
from renders.models import RenderJob
from scripts.models import Campaign, Script

pytestmark = [pytest.mark.django_db, pytest.mark.storage]  # stored files: .ci/run runs these on a bucket too
BRAND = {
    "name": "Weekly tips",
    "aspect": "16:9",
    "primary_color": "#112233",
    "secondary_color": "#445566",
    "gradient": "on",
    "font": "Roboto Light",
    "caption_size": "large",
    "caption_color": "#FFFFFF",
    "highlight_color": "#00FF00",
    "caption_position": "center",
    "caption_preset": "pop",
    "caption_platform": "tiktok",
    "burn_captions": "on",
    "transition": "crossfade",
    "zoom": "on",
}


def made_with_ffmpeg(tmp_path, name: str, *args: str) -> SimpleUploadedFile:
    path = tmp_path / name
    subprocess.run([FFMPEG, "-v", "error", "-y", *args, str(path)], check=True)
    return SimpleUploadedFile(name, path.read_bytes())


def picture(tmp_path, size: str = "64x64", name: str = "logo.png") -> SimpleUploadedFile:
    return made_with_ffmpeg(tmp_path, name, "-f", "lavfi", "-i", f"color=c=white:s={size}", "-frames:v", "1")


def music(tmp_path, seconds: float) -> SimpleUploadedFile:
    return made_with_ffmpeg(
        tmp_path, "music.mp3", "-f", "lavfi", "-i", f"sine=f=440:r=8000:d={seconds}", "-ac", "1", "-b:a", "8k"
    )


def workspace_of(user):
    return user.memberships.get().workspace


def test_a_campaign_is_created_with_its_logo_and_music_stored_in_the_workspace(owner_client, owner, tmp_path):
    data = {**BRAND, "logo": picture(tmp_path), "music": music(tmp_path, 3)}
    response = owner_client.post(reverse("studio:campaign_new"), data)
    assert response.status_code == 302 and response["Location"] == reverse("studio:campaigns")
    campaign = Campaign.objects.get(name="Weekly tips")
    assert campaign.workspace == workspace_of(owner) and campaign.font == "Roboto Light"
    prefix = f"workspaces/{campaign.workspace_id}/campaigns/"
    assert campaign.logo.name.startswith(prefix) and campaign.music.name.startswith(prefix)
    assert "Weekly tips" in owner_client.get(reverse("studio:campaigns")).content.decode()


def test_editing_a_campaign_keeps_its_logo(owner_client, owner, tmp_path):
    owner_client.post(reverse("studio:campaign_new"), {**BRAND, "logo": picture(tmp_path)})
    campaign = Campaign.objects.get()
    response = owner_client.post(reverse("studio:campaign", args=[campaign.pk]), {**BRAND, "name": "Renamed"})
    campaign.refresh_from_db()
    assert response.status_code == 302 and campaign.name == "Renamed" and campaign.logo


def test_other_workspaces_campaigns_are_404_and_not_listed(outsider_client, owner):
    campaign = Campaign.objects.create(workspace=workspace_of(owner), name="Secret plan")
    assert outsider_client.get(reverse("studio:campaign", args=[campaign.pk])).status_code == 404
    assert outsider_client.post(reverse("studio:campaign", args=[campaign.pk]), BRAND).status_code == 404
    assert "Secret plan" not in outsider_client.get(reverse("studio:campaigns")).content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda tmp: SimpleUploadedFile("logo.png", b"just some text, not a picture"), "not a picture we can read"),
        (lambda tmp: SimpleUploadedFile("logo.png", b"\0" * (5 * 1024 * 1024 + 1)), "it can be at most 5 MB"),
        (lambda tmp: picture(tmp, "16x16"), "the short side needs at least 32 pixels"),
        (lambda tmp: picture(tmp, "64x64", name="logo.webp"), "Upload PNG or JPEG"),
    ],
    ids=["text-renamed-png", "oversize", "too-small", "webp"],
)
def test_bad_logos_are_refused_with_a_clear_message(owner_client, tmp_path, upload, message):
    response = owner_client.post(reverse("studio:campaign_new"), {**BRAND, "logo": upload(tmp_path)})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda tmp: music(tmp, 601), "longer than 10 minutes"),
        (lambda tmp: SimpleUploadedFile("song.mp3", b"ID3 not really"), "not audio we can read"),
        (lambda tmp: SimpleUploadedFile("song.mp3", b"\0" * (20 * 1024 * 1024 + 1)), "it can be at most 20 MB"),
    ],
    ids=["over-long", "not-audio", "oversize"],
)
def test_bad_music_is_refused_with_a_clear_message(owner_client, tmp_path, upload, message):
    response = owner_client.post(reverse("studio:campaign_new"), {**BRAND, "music": upload(tmp_path)})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_script_in_a_campaign_preselects_its_aspect(owner_client, owner):
    campaign = Campaign.objects.create(workspace=workspace_of(owner), name="Wide", aspect="16:9")
    new_page = owner_client.get(reverse("studio:script_new") + f"?campaign={campaign.pk}")
    assert new_page.context["render_form"].initial["aspect"] == "16:9"
    assert new_page.context["form"].initial["campaign"] == campaign
    script = Script.objects.create(workspace=campaign.workspace, campaign=campaign, title="T", body="Host: Hi.")
    page = owner_client.get(reverse("studio:script", args=[script.pk]))
    assert page.context["render_form"].initial["aspect"] == "16:9"
    assert '<option value="16:9" selected>' in page.content.decode()


def test_a_campaign_scripts_render_carries_the_brand_kit(owner_client, owner, tmp_path):
    owner_client.post(reverse("studio:campaign_new"), {**BRAND, "logo": picture(tmp_path)})
    campaign = Campaign.objects.get()
    script = Script.objects.create(workspace=campaign.workspace, campaign=campaign, title="T", body="Host: Hi.")
    owner_client.post(reverse("studio:script_render", args=[script.pk]), {"kind": "video", "aspect": "16:9"})
    options = RenderJob.objects.get().options
    assert options["aspect"] == "16:9" and options["zoom"] is True and options["transition"] == "crossfade"
    assert options["brand"] == {"primary": "#112233", "secondary": "#445566", "gradient": True}
    assert options["caption_style"] == {
        "font_name": "Roboto Light",
        "bold": False,
        "font_size": 0.065,
        "primary_color": "#FFFFFF",
        "highlight_color": "#00FF00",
        "margin_bottom": 0.45,
        "preset": "pop",
        "platform": "tiktok",
    }
    assert "burn_captions" not in options  # drawn, the default
    assert options["logo"] == campaign.logo.name


def test_a_campaign_sets_its_caption_style_and_can_turn_burned_captions_off(owner_client, owner):
    data = {**BRAND, "caption_preset": "karaoke", "caption_platform": "reels"}
    del data["burn_captions"]  # the box left unticked
    assert owner_client.post(reverse("studio:campaign_new"), data).status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.caption_preset, campaign.caption_platform, campaign.burn_captions) == ("karaoke", "reels", False)
    script = Script.objects.create(workspace=campaign.workspace, campaign=campaign, title="T", body="Host: Hi.")
    owner_client.post(reverse("studio:script_render", args=[script.pk]), {"kind": "video", "aspect": "9:16"})
    options = RenderJob.objects.get().render_options
    assert options.burn_captions is False and options.look()["burn_captions"] is False
    assert options.look()["caption_style"].preset == "karaoke"
    refused = owner_client.post(reverse("studio:campaign_new"), {**BRAND, "name": "Bad", "caption_preset": "wobbly"})
    assert refused.status_code == 200 and "caption_preset" in refused.context["form"].errors


def test_a_script_cannot_join_another_workspaces_campaign(owner_client, outsider):
    theirs = Campaign.objects.create(workspace=workspace_of(outsider), name="Theirs")
    response = owner_client.post(
        reverse("studio:script_new"), {"title": "Mine", "body": "Host: Hi.", "campaign": theirs.pk, "save": "1"}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Script.objects.exists()


def test_a_campaign_asks_for_ai_video_and_its_scripts_renders_start_from_it(owner_client, owner, settings):
    settings.RUNWAY_API_KEY, settings.HEYGEN_API_KEY, settings.HEYGEN_AVATAR_ID = "key", "key", "presenter"
    assert owner_client.post(reverse("studio:campaign_new"), {**BRAND, "ai_video": "on"}).status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.ai_video is True and campaign.avatar_intro is False
    script = Script.objects.create(workspace=campaign.workspace, campaign=campaign, title="T", body="Host: Hi.")
    page = owner_client.get(reverse("studio:script", args=[script.pk]))
    assert page.context["render_form"].initial["ai_video"] is True  # the box comes ticked
    url = reverse("studio:script_render", args=[script.pk])
    owner_client.post(url, {"kind": "video", "aspect": "9:16", "ai_video": "on"})
    assert RenderJob.objects.get().render_options.ai_video is True
    RenderJob.objects.all().delete()  # one render of a script at a time
    owner_client.post(url, {"kind": "video", "aspect": "9:16"})
    assert RenderJob.objects.get().render_options.ai_video is False  # a render can turn it off


def test_without_keys_the_campaign_page_says_ai_video_is_off_and_the_plans_seconds(owner_client, owner, settings):
    settings.RUNWAY_API_KEY = settings.HEYGEN_API_KEY = ""
    page = owner_client.get(reverse("studio:campaign_new")).content.decode()
    assert "off: RUNWAY_API_KEY is not set" in page and "off: HEYGEN_API_KEY and HEYGEN_AVATAR_ID are not set" in page
    assert 'id="campaign-ai-video"' in page and "counted in the plan's AI video seconds:" in page
    assert owner_client.post(reverse("studio:campaign_new"), {**BRAND, "ai_video": "on"}).status_code == 302
    assert Campaign.objects.get().ai_video is False  # a disabled box cannot be turned on


def test_a_render_can_choose_its_own_captions_and_a_constant_frame_rate(owner_client, owner):
    assert owner_client.post(reverse("studio:campaign_new"), BRAND).status_code == 302  # pop, TikTok, burned
    campaign = Campaign.objects.get()
    script = Script.objects.create(workspace=campaign.workspace, campaign=campaign, title="T", body="Host: Hi.")
    url = reverse("studio:script_render", args=[script.pk])
    page = owner_client.get(reverse("studio:script", args=[script.pk])).content.decode()
    assert 'id="render-captions"' in page and "Constant 30 fps" in page
    owner_client.post(url, {"kind": "video", "aspect": "9:16"})
    inherited = RenderJob.objects.get().render_options
    assert inherited.caption_style["preset"] == "pop" and inherited.burn_captions and not inherited.constant_frame_rate
    RenderJob.objects.all().delete()  # one render of a script at a time
    chosen = {"caption_preset": "karaoke", "caption_platform": "shorts", "burn_captions": "off"}
    owner_client.post(url, {"kind": "video", "aspect": "9:16", "constant_frame_rate": "on", **chosen})
    options = RenderJob.objects.get().render_options
    assert (options.caption_style["preset"], options.caption_style["platform"]) == ("karaoke", "shorts")
    assert options.caption_style["font_name"] == "Roboto Light"  # the rest of the campaign's style stays
    assert options.burn_captions is False and options.look()["constant_frame_rate"] is True
    RenderJob.objects.all().delete()
    refused = owner_client.post(url, {"kind": "video", "aspect": "9:16", "caption_preset": "wobbly"}, follow=True)
    assert "the captions from the lists" in refused.content.decode() and not RenderJob.objects.exists()
