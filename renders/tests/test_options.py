"""RenderOptions: one typed value for a job's options, stored as JSON and read back the same."""

import pytest

from billing.selectors import ACTIVE_JOB_STATUSES
from mediakit.captions.ass import CaptionStyle
from mediakit.video.storyboard import Brand
from renders.models import RenderJob
from renders.options import InvalidRenderOptions, RenderOptions

VOICES = {"Host": {"engine": "piper", "voice_id": "joe", "settings": {}}}


def test_options_stored_before_the_type_existed_still_load():
    stored = {
        "aspect": "16:9",
        "language": "en",
        "brand": {"primary": "#112233", "secondary": "#445566", "gradient": True},
        "zoom": True,
        "transition": "crossfade",
        "constant_frame_rate": True,
        "caption_style": {"font_name": "Roboto", "bold": True, "font_size": 0.05, "margin_bottom": 0.45},
        "logo": "workspaces/1/campaigns/a/logo.png",
        "height": 720,
        "watermark": True,
        "voices": VOICES,
        "regenerate_blocks": [2],
        "formats": ["mp3", "srt"],
        "callback_url": "https://example.com/hook",
    }
    options = RenderOptions.from_json(stored)
    assert options.brand == Brand("#112233", "#445566", True) and options.regenerate_blocks == (2,)
    assert options.to_json() == stored


def test_the_look_gives_the_context_only_what_the_job_sets():
    assert RenderOptions().look() == {"prepare_storyboard": False, "watermark": False}
    look = RenderOptions(zoom=True, caption_style={"font_name": "Roboto Light", "bold": False}).look()
    assert look["zoom"] is True and look["caption_style"] == CaptionStyle(font_name="Roboto Light", bold=False)
    assert RenderOptions(constant_frame_rate=True).look()["constant_frame_rate"] is True


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"height": "tall"}, "height must be a whole number of pixels, not 'tall'"),
        ({"height": -2}, "height must be a positive number of pixels"),
        ({"aspect": "4:3"}, "aspect must be one of"),
        ({"transition": "wipe"}, "transition must be one of"),
        ({"constant_frame_rate": "yes"}, "constant_frame_rate must be true or false, not 'yes'"),
        ({"caption_style": {"size": 3}}, "caption_style has no setting 'size'"),
        ({"caption_style": {"preset": "wobbly"}}, "caption preset must be one of highlight, karaoke"),
        ({"caption_style": {"platform": "myspace"}}, "caption platform must be one of any, tiktok"),
        ({"burn_captions": "no"}, "burn_captions must be true or false"),
    ],
)
def test_options_that_cannot_be_rendered_are_refused_by_name(values, message):
    with pytest.raises(InvalidRenderOptions, match=message):
        RenderOptions.from_json(values)


def test_a_request_picks_its_caption_style_over_the_campaigns():
    campaign = RenderOptions(caption_style={"font_name": "Roboto", "preset": "pop", "platform": "tiktok"})
    asked = campaign.with_captions(preset="boxed", burn=False)
    assert asked.caption_style == {"font_name": "Roboto", "preset": "boxed", "platform": "tiktok"}
    assert asked.look()["burn_captions"] is False and asked.look()["caption_style"].preset == "boxed"
    assert RenderOptions.from_json(asked.to_json()) == asked
    assert campaign.with_captions() == campaign  # nothing asked: the campaign's choice stands


def test_a_storyboard_video_reuses_the_prepared_narration_unless_a_block_is_said_again():
    prepared = RenderOptions(prepare_storyboard=True, voices=VOICES, regenerate_blocks=(1,))
    video = prepared.for_storyboard_video({"scenes": []}, "job-id")
    assert video.narration_paid_before and not video.prepare_storyboard and video.voices == VOICES
    assert not video.for_regeneration(0).narration_paid_before


def test_billing_holds_quota_for_the_job_statuses_renders_has():
    assert set(ACTIVE_JOB_STATUSES) == {RenderJob.Status.QUEUED, RenderJob.Status.RUNNING}
