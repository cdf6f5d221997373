"""From upload to YouTube: a CSV of two scripted rows with publish times renders for real (Piper, ffmpeg), one video
is approved and one sent back, the channel is connected through the OAuth flow, the approved video is scheduled at
its row's time and uploaded to the fake YouTube, private with publishAt; the other never goes out."""

from datetime import UTC, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from publishing import publish
from publishing.models import Connection, Publication, SeriesRow
from publishing.services import create_series
from publishing.uploads import read_csv
from tests import fake_google
from tests.factories import CampaignFactory, put_on_plan, seed_plans

pytestmark = pytest.mark.django_db


def test_a_series_video_goes_from_csv_to_the_fake_youtube_at_its_time(
    settings, owner, owner_client, workspace, google, django_capture_on_commit_callbacks
):
    settings.RENDER_VIDEO_HEIGHT, settings.RENDER_VERIFY = 240, False
    settings.PUBLISH_EARLY_MINUTES = 120  # uploaded ahead, YouTube makes it public at the row's time
    seed_plans()
    put_on_plan(workspace, "creator")
    campaign = CampaignFactory(workspace=workspace, name="Facts", aspect="16:9")
    at = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    csv = (
        "script,title,tags,publish_at\n"
        f'"Host: Green tea has less caffeine than coffee.",Why green tea,"tea, health",{at.isoformat()}\n'
        f'"Host: Rain is water falling from clouds.",Rain facts,,{at.isoformat()}\n'
    )
    with django_capture_on_commit_callbacks(execute=True):
        series = create_series(
            workspace=workspace, campaign=campaign, name="Facts", user=owner,
            rows=read_csv(csv.encode(), max_rows=10, max_script_chars=5000),
        )  # fmt: skip
    tea, rain = series.rows.order_by("number")
    assert tea.status == rain.status == SeriesRow.Status.REVIEW, (tea.error, rain.error)
    owner_client.post(f"/studio/series/{series.public_id}/rows/{tea.number}/approve/")
    owner_client.post(f"/studio/series/{series.public_id}/rows/{rain.number}/changes/", {"note": "Slower."})

    state = parse_qs(urlsplit(owner_client.post("/studio/publishing/youtube/connect/")["Location"]).query)["state"][0]
    owner_client.get("/studio/publishing/youtube/callback/", {"state": state, "code": fake_google.GOOD_CODE})
    channel = Connection.objects.get(kind=Connection.Kind.YOUTUBE)
    owner_client.post(f"/studio/publishing/connections/{channel.pk}/schedule-approved/")

    with django_capture_on_commit_callbacks(execute=True):
        publish.publish_due()
    publication = Publication.objects.get()
    assert publication.status == Publication.Status.PUBLISHED, publication.error
    video = google.videos[0]
    assert video["snippet"]["title"] == "Why green tea" and video["snippet"]["tags"] == ["tea", "health"]
    assert video["status"]["privacyStatus"] == "private" and video["status"]["containsSyntheticMedia"] is True
    assert video["status"]["publishAt"] == at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert video["bytes"][4:8] == b"ftyp"  # the real MP4 the render made
    assert len(google.videos) == 1  # the video sent back for changes stays home
    page = owner_client.get("/studio/publishing/").content.decode()
    assert "Why green tea" in page and "Published" in page
