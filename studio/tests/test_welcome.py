"""The front door at /: visitors see what OmniVibe does, the plans from the Plan table and sign-up."""

from pathlib import Path

import av
import pytest
from django.conf import settings
from django.urls import reverse

from billing.models import Plan

pytestmark = pytest.mark.django_db


def test_visitors_see_the_plans_from_the_table_and_a_way_in(client):
    Plan.objects.free()
    Plan.objects.create(
        slug="studio-x", name="Studio X", monthly_price_cents=4900, included_narration_seconds=36000,
        included_video_renders=100, max_video_height=1080, max_voices=20, api_access=True, sort_order=5,
    )  # fmt: skip
    page = client.get("/").content.decode()
    assert "From an idea to a published video" in page
    assert "Studio X" in page and "$49/month" in page and "600 min narration a month" in page
    assert "Free" in page and "10 min narration a month" in page
    assert reverse("account_signup") in page and reverse("account_login") in page
    assert "Upgrade to" not in page  # buying is for signed-in owners, on the billing page


def test_members_go_straight_to_the_studio(owner_client):
    response = owner_client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("studio:home")


def test_visitors_see_a_sample_video_made_by_omnivibe(client):
    page = client.get("/").content.decode()
    assert '<video id="sample-video"' in page and "/static/sample/omnivibe-sample.mp4" in page
    # A real MP4 the pipeline made (make sample-video): a picture and the narration, about 12 s, on the disk.
    sample = Path(settings.BASE_DIR, "static", "sample", "omnivibe-sample.mp4")
    with av.open(str(sample)) as video:
        picture = video.streams.video[0]
        assert (picture.width, picture.height) == (640, 1136) and video.streams.audio  # 9:16
        assert 8 < video.duration / av.time_base < 20
