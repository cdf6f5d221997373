"""Issue 17's "Done means", end to end through the Studio's pages: a CSV of five topics (and a bad row) becomes
five videos written by the AI writer (the fake LLM) and rendered for real (Piper, ffmpeg, small pictures), all
reviewed, two approved and scheduled at their rows' times, published to the fake YouTube when their time comes,
whose figures then appear on the campaign's performance page. The bad row, a quota error and an expired token
each show a clear message and lose nothing: the good rows go on, the failed publications wait with Google's
reason and go out on Retry."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from publishing import metrics, publish
from publishing.models import Connection, Publication, Series, SeriesRow
from renders.models import RenderOutput
from tests import fake_google
from tests.factories import CampaignFactory, put_on_plan, seed_plans
from tests.fixtures import configure_llm

pytestmark = pytest.mark.django_db
Pub = Publication.Status
SCRIPT = """# Five facts
Host: Here is one fact worth knowing today.
Host: Follow for one fact a day."""


def connect_channel(client) -> None:
    """The OAuth flow as a person goes through it: Connect, Google's consent, back to the callback."""
    state = parse_qs(urlsplit(client.post("/studio/publishing/youtube/connect/")["Location"]).query)["state"][0]
    client.get("/studio/publishing/youtube/callback/", {"state": state, "code": fake_google.GOOD_CODE})


def test_five_topics_become_reviewed_videos_two_go_out_at_their_time_and_their_figures_show(
    settings, monkeypatch, owner_client, workspace, google, fake_llm_server, django_capture_on_commit_callbacks
):
    settings.RENDER_VIDEO_HEIGHT, settings.RENDER_VERIFY = 240, False  # real renders, small pictures
    settings.SERIES_DRAFT_SECONDS = 10
    settings.PUBLISH_EARLY_MINUTES = 0  # nothing goes before its time
    configure_llm(settings, fake_llm_server, "openai")
    fake_llm_server.reply(SCRIPT)
    seed_plans()
    put_on_plan(workspace, "creator")
    campaign = CampaignFactory(workspace=workspace, name="Facts", aspect="16:9")
    first, second = ((timezone.now() + timedelta(hours=hours)).replace(microsecond=0) for hours in (1, 2))
    csv = (
        "topic,title,publish_at\n"
        f"Green tea,Why green tea,{first.isoformat()}\n"
        f"Coffee,Coffee at night,{second.isoformat()}\n"
        '"=HYPERLINK(""http://evil.example"",""x"")",Bad,\n'
        "Rain,Rain facts,\nSnow,Snow facts,\nWind,Wind facts,\n"
    )

    # The upload: the bad row is named by its number, the five good ones are drafted and rendered.
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            "/studio/series/",
            {"name": "Week 1", "campaign": campaign.pk, "file": SimpleUploadedFile("week.csv", csv.encode())},
        )
    series = Series.objects.get()
    page = owner_client.get(response["Location"]).content.decode()
    assert "1 row(s) were refused" in page and "looks like a spreadsheet formula" in page
    rows = {row.number: row for row in series.rows.select_related("job", "script")}
    assert rows[4].status == SeriesRow.Status.INVALID and rows[4].script is None
    good = [rows[number] for number in (2, 3, 5, 6, 7)]
    assert [row.status for row in good] == [SeriesRow.Status.REVIEW] * 5, [(row.status, row.error) for row in good]
    assert all(row.job.outputs.filter(kind=RenderOutput.Kind.MP4).exists() for row in good)
    assert len(fake_llm_server.requests) == 5 and good[0].script.title == "Why green tea"

    # Every video reviewed: two approved, three sent back with a note.
    for row in good[:2]:
        owner_client.post(f"/studio/series/{series.public_id}/rows/{row.number}/approve/")
    for row in good[2:]:
        owner_client.post(f"/studio/series/{series.public_id}/rows/{row.number}/changes/", {"note": "Slower."})
    statuses = list(series.rows.exclude(number=4).order_by("number").values_list("status", flat=True))
    assert statuses == [SeriesRow.Status.APPROVED] * 2 + [SeriesRow.Status.CHANGES_REQUESTED] * 3

    # The channel connected, the approved videos scheduled at their rows' times.
    connect_channel(owner_client)
    channel = Connection.objects.get(kind=Connection.Kind.YOUTUBE)
    owner_client.post(f"/studio/publishing/connections/{channel.pk}/schedule-approved/")
    tea, coffee = Publication.objects.order_by("publish_at")
    assert (tea.title, tea.publish_at, coffee.title, coffee.publish_at) == (
        "Why green tea",
        first,
        "Coffee at night",
        second,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert publish.publish_due() == 0  # not yet their time
    assert not google.videos

    def at(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    # The first one's time: YouTube's quota is used up. It fails with Google's reason and waits for a retry.
    at(first + timedelta(minutes=1))
    google.quota = True
    with django_capture_on_commit_callbacks(execute=True):
        publish.publish_due()
    tea.refresh_from_db()
    assert tea.status == Pub.FAILED and "quota is used up (quotaExceeded)" in tea.error
    page = owner_client.get("/studio/publishing/").content.decode()
    assert "quotaExceeded" in page and f'action="/studio/publishing/{tea.public_id}/retry/"' in page
    google.quota = False
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/studio/publishing/{tea.public_id}/retry/")
    tea.refresh_from_db()
    assert tea.status == Pub.PUBLISHED and tea.error == "" and len(google.videos) == 1

    # The second one's time: the channel's tokens expired and Google no longer accepts them. It fails saying
    # so; connected again, Retry publishes it.
    at(second + timedelta(minutes=1))
    google.access_tokens.clear()
    google.refresh_tokens.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish.publish_due()
    coffee.refresh_from_db()
    assert coffee.status == Pub.FAILED and "Token has been expired or revoked" in coffee.error
    assert "connect it again" in coffee.error
    connect_channel(owner_client)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/studio/publishing/{coffee.public_id}/retry/")
    coffee.refresh_from_db()
    assert coffee.status == Pub.PUBLISHED and len(google.videos) == 2
    assert [video["snippet"]["title"] for video in google.videos] == ["Why green tea", "Coffee at night"]
    assert all(video["bytes"][4:8] == b"ftyp" for video in google.videos)  # the MP4s the renders made

    # Their figures fetched (the hourly schedule's work) and shown on the campaign's performance page.
    google.statistics = {
        tea.remote_id: {"viewCount": "1500", "likeCount": "80", "commentCount": "7"},
        coffee.remote_id: {"viewCount": "300", "likeCount": "9", "commentCount": "1"},
    }
    assert metrics.fetch_all() == 2
    page = owner_client.get(f"/studio/campaigns/{campaign.pk}/performance/").content.decode()
    assert f'Best: <a href="/studio/scripts/{tea.job.script_id}/">Why green tea</a> (1500 views)' in page
    assert f'<a id="worst" href="/studio/scripts/{coffee.job.script_id}/">Coffee at night</a> (300 views)' in page
    assert "Topics like your best videos" in page
