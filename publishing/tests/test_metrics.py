"""Performance tracking: published YouTube videos' figures fetched through Google's client from the local fake
(tests/fake_google.py) and kept as snapshots; a quota error or a revoked access keeps what was there, says
Google's reason and the next round tries again."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone
from django_q.models import Schedule

from accounts.secrets import encrypt
from publishing import metrics
from publishing.models import Connection, Publication, VideoMetrics
from tests.factories import SeriesRowFactory, workspace_of
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(workspace, google) -> Connection:
    return Connection.objects.create(
        workspace=workspace, kind=Connection.Kind.YOUTUBE, name="Tea Time Channel", account_id="UCfake",
        refresh_token=encrypt(google.grant()),
    )  # fmt: skip


def published(channel: Connection, remote_id: str, title: str, **row) -> Publication:
    row = SeriesRowFactory(series__workspace=channel.workspace, title=title, **row)
    return Publication.objects.create(
        workspace=channel.workspace, connection=channel, job=row.job, row=row, title=title,
        publish_at=timezone.now(), status=Publication.Status.PUBLISHED, remote_id=remote_id,
        remote_url=f"https://www.youtube.com/watch?v={remote_id}", published_at=timezone.now(),
    )  # fmt: skip


def test_the_figures_of_published_videos_are_fetched_every_hour_on_the_fast_lane():
    migration = importlib.import_module("publishing.migrations.0005_video_metrics")
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)  # idempotent
    schedule = Schedule.objects.get(name="publishing.fetch_metrics")
    assert (schedule.func, schedule.minutes, schedule.cluster) == ("publishing.tasks.fetch_metrics", 60, "fast")


def test_a_fetch_stores_a_snapshot_of_each_published_videos_views_likes_and_comments(google, channel):
    tea = published(channel, "vid001", "Why tea")
    coffee = published(channel, "vid002", "Why coffee")
    google.statistics = {
        "vid001": {"viewCount": "1200", "likeCount": "80", "commentCount": "7"},
        "vid002": {"viewCount": "30"},  # likes hidden, comments off
    }

    assert metrics.fetch_all() == 2

    assert google.list_requests[0]["part"] == ["statistics"]
    assert google.list_requests[0]["id"] == ["vid001,vid002"]  # one call (one quota unit) for both
    first = tea.metrics.get()
    assert (first.views, first.likes, first.comments) == (1200, 80, 7)
    second = coffee.metrics.get()
    assert (second.views, second.likes, second.comments) == (30, None, None)
    google.statistics["vid001"]["viewCount"] = "1500"
    metrics.fetch_all()
    assert list(tea.metrics.values_list("views", flat=True)) == [1200, 1500]  # a time series
    tea.refresh_from_db()
    assert tea.metrics_error == "" and tea.metrics_checked_at is not None


def test_a_quota_error_keeps_the_snapshots_says_why_and_the_next_round_fetches_again(google, channel):
    tea = published(channel, "vid001", "Why tea")
    google.statistics = {"vid001": {"viewCount": "10", "likeCount": "1", "commentCount": "0"}}
    metrics.fetch_all()
    google.quota = True

    assert metrics.fetch_all() == 0

    tea.refresh_from_db()
    assert "quota is used up (quotaExceeded)" in tea.metrics_error
    assert tea.metrics.count() == 1
    google.quota = False
    google.statistics["vid001"]["viewCount"] = "25"
    assert metrics.fetch_all() == 1
    tea.refresh_from_db()
    assert tea.metrics_error == "" and list(tea.metrics.values_list("views", flat=True)) == [10, 25]


def test_a_revoked_access_marks_the_fetch_failed_with_googles_reason(google, channel):
    tea = published(channel, "vid001", "Why tea")
    google.statistics = {"vid001": {"viewCount": "10"}}
    google.refresh_tokens.clear()  # revoked at Google (or expired)

    assert metrics.fetch_all() == 0

    tea.refresh_from_db()
    assert "Google refused this channel's authorisation" in tea.metrics_error
    assert "Token has been expired or revoked" in tea.metrics_error
    assert not VideoMetrics.objects.exists()
    google.grant()  # connected again
    assert metrics.fetch_all() == 1


def test_videos_of_disconnected_channels_and_unpublished_ones_are_not_fetched(google, channel):
    published(channel, "vid001", "Why tea")
    Publication.objects.update(status=Publication.Status.SCHEDULED)
    published(channel, "vid002", "Why coffee")
    Connection.objects.update(disconnected_at=timezone.now())
    google.statistics = {"vid001": {"viewCount": "10"}}

    assert metrics.fetch_all() == 0
    assert google.list_requests == []


def test_a_video_youtube_no_longer_lists_says_so(google, channel):
    gone = published(channel, "vid404", "Deleted")

    metrics.fetch_all()

    gone.refresh_from_db()
    assert gone.metrics_error == "YouTube no longer lists this video."


def test_the_api_shows_a_videos_figures_over_time_and_other_workspaces_get_404(api, outsider_api, google, owner):
    channel = Connection.objects.create(
        workspace=workspace_of(owner), kind=Connection.Kind.YOUTUBE, name="Tea", refresh_token=encrypt(google.grant())
    )
    tea = published(channel, "vid001", "Why tea")
    google.statistics = {"vid001": {"viewCount": "10", "likeCount": "2", "commentCount": "1"}}
    metrics.fetch_all()
    google.statistics["vid001"]["viewCount"] = "40"
    metrics.fetch_all()
    url = f"/api/v1/videos/{tea.public_id}/metrics"

    response = api.get(url)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == str(tea.public_id) and body["title"] == "Why tea" and body["metrics_error"] == ""
    assert body["url"] == "https://www.youtube.com/watch?v=vid001"
    assert body["latest"]["views"] == 40 and body["latest"]["likes"] == 2 and body["latest"]["comments"] == 1
    assert body["latest"]["watch_minutes"] is None  # no Analytics rows for it in the fake
    assert [point["views"] for point in body["history"]] == [10, 40]
    assert outsider_api.get(url).status_code == 404
    assert api.get("/api/v1/videos/00000000-0000-0000-0000-000000000000/metrics").status_code == 404


def test_the_campaign_page_shows_figures_best_and_worst_scripts_and_a_chart(google, channel, owner_client, outsider):
    tea = published(channel, "vid001", "Why tea")
    campaign = tea.job.script.campaign
    coffee = published(channel, "vid002", "=cmd() coffee", series__campaign=campaign)
    google.statistics = {
        "vid001": {"viewCount": "1200", "likeCount": "80", "commentCount": "7"},
        "vid002": {"viewCount": "30", "likeCount": "1", "commentCount": "0"},
    }
    metrics.fetch_all()
    google.statistics["vid001"]["viewCount"] = "1500"
    metrics.fetch_all()
    url = f"/studio/campaigns/{campaign.pk}/performance/"

    page = owner_client.get(url).content.decode()

    assert "Why tea" in page and "1500" in page and "80" in page
    assert f'Best: <a href="/studio/scripts/{tea.job.script_id}/">Why tea</a> (1500 views)' in page
    assert f'<a id="worst" href="/studio/scripts/{coffee.job.script_id}/">=cmd() coffee</a> (30 views)' in page
    assert "<svg" in page and "<polyline" in page and 'aria-label="Views over time, from 1230 to 1530"' in page
    assert "cdn" not in page.lower()
    settings_page = owner_client.get(f"/studio/campaigns/{campaign.pk}/").content.decode()
    assert f"/studio/campaigns/{campaign.pk}/performance/" in settings_page
    assert client_working_in(outsider).get(url).status_code == 404


def test_the_campaign_csv_lists_latest_figures_with_formula_cells_defused(google, channel, owner_client, outsider):
    tea = published(channel, "vid001", "=cmd() tea")
    google.statistics = {"vid001": {"viewCount": "1200", "likeCount": "80"}}
    google.watch = {"vid001": (300.0, 45.0)}
    metrics.fetch_all()
    url = f"/studio/campaigns/{tea.job.script.campaign_id}/performance.csv"

    response = owner_client.get(url)

    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == (
        "id,title,url,published (UTC),views,likes,comments,watch minutes,average view seconds,fetched (UTC),error"
    )
    assert lines[1].startswith(f"{tea.public_id},'=cmd() tea,https://www.youtube.com/watch?v=vid001,")
    assert ",1200,80,,300.0,45.0," in lines[1]
    assert client_working_in(outsider).get(url).status_code == 404


def test_watch_time_comes_from_youtube_analytics_and_its_refusal_keeps_the_counts(google, channel):
    tea = published(channel, "vid001", "Why tea")
    google.statistics = {"vid001": {"viewCount": "100"}}
    google.watch = {"vid001": (250.0, 150.0)}

    metrics.fetch_all()

    snapshot = tea.metrics.get()
    assert (snapshot.views, snapshot.watch_minutes, snapshot.average_view_seconds) == (100, 250.0, 150.0)
    asked = google.report_requests[0]
    assert asked["ids"] == ["channel==MINE"] and asked["dimensions"] == ["video"]
    assert asked["metrics"] == ["estimatedMinutesWatched,averageViewDuration"] and asked["filters"] == ["video==vid001"]
    google.analytics_refused = True  # a channel connected before the Analytics scope was asked
    metrics.fetch_all()
    latest = tea.metrics.last()
    assert latest.views == 100 and latest.watch_minutes is None
    tea.refresh_from_db()
    assert tea.metrics_error.startswith("Watch time not fetched: YouTube answered 403: insufficientPermissions")
