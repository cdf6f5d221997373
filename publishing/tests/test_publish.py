"""Publishing: a YouTube channel connected through the OAuth web flow (state checked, tokens encrypted), finished
videos uploaded at their time through Google's client against the local fake (tests/fake_google.py): resumable
upload resumed after dropped chunks, an expired token refreshed, quota and revoked access shown with Google's
reason and a Retry button; a signed webhook target; the calendar."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.utils import timezone
from django_q.models import Schedule

from accounts.models import AuditEntry, Membership
from accounts.secrets import decrypt, encrypt
from publishing import publish
from publishing.models import Connection, Publication, SeriesRow
from renders.models import RenderOutput
from telemetry.models import Counter
from tests import fake_google
from tests.factories import SeriesRowFactory, make_member
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db
Pub = Publication.Status
VIDEO = bytes(range(256)) * 2600  # 665,600 bytes: three chunks of 256 KiB


@pytest.fixture
def row(workspace):
    row = SeriesRowFactory(
        series__workspace=workspace, status=SeriesRow.Status.APPROVED, title="Why tea", description="All about tea.",
        tags=["tea", "history"],
    )  # fmt: skip
    RenderOutput.objects.create(job=row.job, kind=RenderOutput.Kind.MP4, file=ContentFile(VIDEO, name="video.mp4"))
    return row


@pytest.fixture
def channel(workspace, google) -> Connection:
    """A channel connected earlier: Google knows its refresh token; no access token yet."""
    return Connection.objects.create(
        workspace=workspace, kind=Connection.Kind.YOUTUBE, name="Tea Time Channel", account_id="UCfake",
        refresh_token=encrypt(google.grant()),
    )  # fmt: skip


def due(row, connection, **changes) -> Publication:
    publication = publish.schedule(
        job=row.job, connection=connection, publish_at=timezone.now() - timedelta(minutes=1), user=None
    )
    Publication.objects.filter(pk=publication.pk).update(**changes)
    return publication


def send_due(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        publish.publish_due()


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_page_says_youtube_is_off_without_an_oauth_client(owner_client):
    page = owner_client.get("/studio/publishing/").content.decode()
    assert "YouTube is off on this server" in page and "GOOGLE_CLIENT_ID" in page
    response = owner_client.post("/studio/publishing/youtube/connect/")
    assert response.status_code == 302 and "not set up" in flashed(response)[-1]


def test_connecting_a_channel_runs_the_oauth_flow_and_keeps_its_tokens_encrypted(owner_client, google):
    response = owner_client.post("/studio/publishing/youtube/connect/")
    consent = urlsplit(response["Location"])
    asked = {key: values[0] for key, values in parse_qs(consent.query).items()}
    assert f"{consent.scheme}://{consent.netloc}{consent.path}" == f"{google.url}/auth"
    assert asked["client_id"] == fake_google.CLIENT_ID and asked["access_type"] == "offline"
    assert asked["scope"].split() == ["https://www.googleapis.com/auth/youtube.upload",
                                      "https://www.googleapis.com/auth/youtube.readonly",
                                      "https://www.googleapis.com/auth/yt-analytics.readonly"]  # fmt: skip
    assert asked["code_challenge_method"] == "S256" and asked["redirect_uri"].endswith(
        "/studio/publishing/youtube/callback/"
    )

    back = owner_client.get(asked["redirect_uri"], {"state": asked["state"], "code": fake_google.GOOD_CODE})
    assert back.status_code == 302 and flashed(back)[-1] == "Connected the YouTube channel “Tea Time Channel”."
    connection = Connection.objects.get()
    assert connection.account_id == fake_google.CHANNEL["id"]
    assert "refresh" not in connection.refresh_token and decrypt(connection.refresh_token) == "1//refresh-1"
    assert google.token_requests[0]["code_verifier"]  # PKCE
    assert AuditEntry.objects.filter(action="connection.created").exists()
    # The state works once: the same callback again is refused.
    assert owner_client.get(asked["redirect_uri"], {"state": asked["state"], "code": "x"}).status_code == 400


def test_a_callback_with_another_state_is_refused_and_connects_nothing(owner_client, google):
    owner_client.post("/studio/publishing/youtube/connect/")
    response = owner_client.get(
        "/studio/publishing/youtube/callback/", {"state": "forged", "code": fake_google.GOOD_CODE}
    )
    assert response.status_code == 400 and "not started from this browser session" in response.content.decode()
    assert not Connection.objects.exists() and not google.token_requests


def test_a_callback_nobody_started_is_refused(owner_client, google):
    response = owner_client.get("/studio/publishing/youtube/callback/", {"state": "x", "code": fake_google.GOOD_CODE})
    assert response.status_code == 400 and not Connection.objects.exists()


def test_google_refusing_the_consent_says_so(owner_client, google):
    state = parse_qs(urlsplit(owner_client.post("/studio/publishing/youtube/connect/")["Location"]).query)["state"][0]
    response = owner_client.get("/studio/publishing/youtube/callback/", {"state": state, "error": "access_denied"})
    assert flashed(response)[-1] == "YouTube was not connected: Google answered “access_denied”."


def test_an_approved_video_is_uploaded_at_its_time_resumed_after_dropped_chunks(
    row, channel, google, django_capture_on_commit_callbacks, caplog
):
    publication = due(row, channel)
    google.drops = 2
    send_due(django_capture_on_commit_callbacks)
    publication.refresh_from_db()
    assert publication.status == Pub.PUBLISHED and publication.remote_id == "vid001", publication.error
    # A broken chunk is sent again whole: an empty retry used to hang until YOUTUBE_TIMEOUT ("timed out").
    resumes = [record.getMessage() for record in caplog.records if "chunk broke" in record.getMessage()]
    assert resumes and not any("timed out" in message for message in resumes)
    video = google.videos[0]
    assert video["bytes"] == VIDEO  # every byte, once, in order, despite the broken chunks
    assert google.drops == 0 and google.status_queries >= 1  # asked YouTube where the upload stood, went on
    assert video["snippet"]["title"] == "Why tea" and video["snippet"]["tags"] == ["tea", "history"]
    assert video["snippet"]["description"] == "All about tea."
    assert video["status"]["containsSyntheticMedia"] is True and video["status"]["privacyStatus"] == "public"
    assert "publishAt" not in video["status"]
    assert AuditEntry.objects.filter(action="publication.published").exists()
    # The access token the client got is kept, encrypted, for the next upload.
    channel.refresh_from_db()
    assert decrypt(channel.access_token) == "ya29.fake-1" and channel.token_expiry > timezone.now()


def test_a_video_uploaded_before_its_time_is_scheduled_on_youtube_with_publish_at(
    settings, row, channel, google, django_capture_on_commit_callbacks
):
    settings.PUBLISH_EARLY_MINUTES = 60
    at = timezone.now() + timedelta(minutes=30)
    publication = publish.schedule(job=row.job, connection=channel, publish_at=at, user=None)
    send_due(django_capture_on_commit_callbacks)
    publication.refresh_from_db()
    assert publication.status == Pub.PUBLISHED
    status = google.videos[0]["status"]
    assert status["privacyStatus"] == "private" and status["publishAt"].startswith(at.strftime("%Y-%m-%dT%H:%M"))


def test_a_video_not_yet_due_waits(row, channel, google, django_capture_on_commit_callbacks):
    publication = publish.schedule(
        job=row.job, connection=channel, publish_at=timezone.now() + timedelta(hours=2), user=None
    )
    send_due(django_capture_on_commit_callbacks)
    publication.refresh_from_db()
    assert publication.status == Pub.SCHEDULED and not google.videos


def test_an_expired_access_token_is_refreshed_and_the_new_one_kept(
    row, channel, google, django_capture_on_commit_callbacks
):
    Connection.objects.filter(pk=channel.pk).update(
        access_token=encrypt("ya29.expired"), token_expiry=timezone.now() - timedelta(minutes=5)
    )
    publication = due(row, channel)
    send_due(django_capture_on_commit_callbacks)
    publication.refresh_from_db()
    assert publication.status == Pub.PUBLISHED, publication.error
    assert [request["grant_type"] for request in google.token_requests] == ["refresh_token"]
    channel.refresh_from_db()
    assert decrypt(channel.access_token) == "ya29.fake-1"


def test_a_token_google_no_longer_accepts_is_refreshed_on_its_401(
    row, channel, google, django_capture_on_commit_callbacks
):
    Connection.objects.filter(pk=channel.pk).update(
        access_token=encrypt("ya29.revoked-early"), token_expiry=timezone.now() + timedelta(minutes=30)
    )
    publication = due(row, channel)
    send_due(django_capture_on_commit_callbacks)
    publication.refresh_from_db()
    assert publication.status == Pub.PUBLISHED, publication.error


def test_a_quota_error_fails_with_googles_reason_and_a_retry_publishes_it(
    owner_client, row, channel, google, django_capture_on_commit_callbacks
):
    google.quota = True
    publication = due(row, channel)
    send_due(django_capture_on_commit_callbacks)
    publication.refresh_from_db()
    assert publication.status == Pub.FAILED
    assert "quota is used up (quotaExceeded)" in publication.error and "midnight Pacific" in publication.error
    assert AuditEntry.objects.filter(action="publication.failed").exists()
    assert Counter.objects.get(name="omnivibe_publish_failures", labels="target=youtube").value == 1
    page = owner_client.get("/studio/publishing/").content.decode()
    assert "quotaExceeded" in page and f'action="/studio/publishing/{publication.public_id}/retry/"' in page

    google.quota = False
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/studio/publishing/{publication.public_id}/retry/")
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.status == Pub.PUBLISHED and publication.error == "" and google.videos


def test_a_revoked_authorisation_fails_clearly(row, workspace, google, django_capture_on_commit_callbacks):
    channel = Connection.objects.create(
        workspace=workspace, kind=Connection.Kind.YOUTUBE, name="Old", refresh_token=encrypt("1//revoked")
    )
    publication = due(row, channel)
    send_due(django_capture_on_commit_callbacks)
    publication.refresh_from_db()
    assert publication.status == Pub.FAILED
    assert publication.error.startswith("Google refused this channel's authorisation (invalid_grant")
    assert "connect it again" in publication.error


def test_youtube_server_errors_are_retried_later_with_backoff(
    settings, row, channel, google, django_capture_on_commit_callbacks
):
    settings.YOUTUBE_UPLOAD_RESUMES = 1
    google.server_errors = 5
    publication = due(row, channel)
    send_due(django_capture_on_commit_callbacks)
    publication.refresh_from_db()
    assert publication.status == Pub.PUBLISHING and publication.error.startswith("Trying again: YouTube answered 503")
    retry = Schedule.objects.get(func="lanes.run_retrying")
    assert "publishing.tasks.publish" in retry.args and retry.next_run > timezone.now()


def test_the_last_attempt_fails_the_publication_instead_of_dropping_it(
    settings, row, channel, google, django_capture_on_commit_callbacks
):
    settings.YOUTUBE_UPLOAD_RESUMES = 0
    google.server_errors = 5
    publication = due(row, channel, attempts=settings.TASK_RETRY_ATTEMPTS - 1)
    send_due(django_capture_on_commit_callbacks)
    publication.refresh_from_db()
    assert publication.status == Pub.FAILED and "503" in publication.error


def test_disconnecting_revokes_the_token_and_fails_what_was_scheduled(owner_client, row, channel, google):
    publication = publish.schedule(
        job=row.job, connection=channel, publish_at=timezone.now() + timedelta(days=1), user=None
    )
    response = owner_client.post(f"/studio/publishing/connections/{channel.pk}/disconnect/")
    assert response.status_code == 302
    assert google.revoked == ["1//refresh-known"]
    channel.refresh_from_db()
    assert channel.disconnected_at and channel.refresh_token == "" and channel.access_token == ""
    publication.refresh_from_db()
    assert publication.status == Pub.FAILED and "was disconnected" in publication.error


def test_a_video_awaiting_review_cannot_be_scheduled(row, channel):
    SeriesRow.objects.filter(pk=row.pk).update(status=SeriesRow.Status.REVIEW)
    with pytest.raises(publish.Refused, match="approved"):
        publish.schedule(job=row.job, connection=channel, publish_at=timezone.now(), user=None)


def test_the_schedule_form_reads_the_time_in_the_chosen_zone(owner_client, row, channel):
    response = owner_client.post(
        "/studio/publishing/schedule/",
        {"job": row.job.public_id, "connection": channel.pk, "when": "2030-07-01T17:00", "time_zone": "Europe/Paris",
         "privacy": "unlisted"},
    )  # fmt: skip
    assert response.status_code == 302, flashed(response)
    publication = Publication.objects.get()
    assert publication.publish_at.isoformat() == "2030-07-01T15:00:00+00:00" and publication.privacy == "unlisted"
    assert publication.row == row and publication.ai_disclosure
    page = owner_client.get("/studio/publishing/").content.decode()
    assert "Why tea" in page and "Scheduled" in page


def test_an_unknown_time_zone_is_a_clear_error(owner_client, row, channel):
    response = owner_client.post(
        "/studio/publishing/schedule/",
        {"job": row.job.public_id, "connection": channel.pk, "when": "2030-07-01T17:00", "time_zone": "Mars/Olympus",
         "privacy": "public"},
    )  # fmt: skip
    assert "Unknown time zone 'Mars/Olympus'" in flashed(response)[-1] and not Publication.objects.exists()


def test_editors_and_outsiders_cannot_publish(workspace, row, channel, outsider_client):
    editor = make_member("editor@example.com")
    Membership.objects.create(workspace=workspace, user=editor, role="editor")
    editor_client = client_working_in(editor, workspace)
    assert editor_client.post(f"/studio/publishing/connections/{channel.pk}/disconnect/").status_code == 403
    assert outsider_client.post(f"/studio/publishing/connections/{channel.pk}/disconnect/").status_code == 404
    publication = due(row, channel, status=Pub.FAILED)
    assert outsider_client.post(f"/studio/publishing/{publication.public_id}/retry/").status_code == 404


class _Receiver(BaseHTTPRequestHandler):
    received: list

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver():
    received: list = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("R", (_Receiver,), {"received": received}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_a_webhook_target_receives_the_video_signed_as_docs_api_describes(
    owner_client, workspace, row, receiver, django_capture_on_commit_callbacks
):
    url, received = receiver
    response = owner_client.post("/studio/publishing/webhooks/", {"name": "My Zapier", "url": url})
    secret = flashed(response)[-1].rsplit(": ", 1)[1]
    target = Connection.objects.get(kind=Connection.Kind.WEBHOOK)
    assert secret.startswith("whpub_") and secret not in target.webhook_secret
    publication = due(row, target)
    send_due(django_capture_on_commit_callbacks)
    publication.refresh_from_db()
    assert publication.status == Pub.PUBLISHED, publication.error
    headers, body = received[0]
    parts = dict(part.split("=", 1) for part in headers["X-OmniVibe-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"])
    sent = json.loads(body)
    assert sent["event"] == "video.publish" and sent["publication"]["title"] == "Why tea"
    assert sent["job"]["url"].endswith(f"/api/v1/jobs/{row.job.public_id}")


def test_a_webhook_target_in_our_network_is_refused(settings, owner_client):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = owner_client.post("/studio/publishing/webhooks/", {"name": "x", "url": "http://127.0.0.1:8000/"})
    assert "cannot receive webhooks" in flashed(response)[-1] and not Connection.objects.exists()


def test_approved_series_videos_are_scheduled_at_their_rows_times(owner_client, row, channel):
    at = timezone.now() + timedelta(days=2)
    SeriesRow.objects.filter(pk=row.pk).update(publish_at=at)
    SeriesRowFactory(series=row.series, status=SeriesRow.Status.REVIEW, publish_at=at)  # not approved: stays
    response = owner_client.post(f"/studio/publishing/connections/{channel.pk}/schedule-approved/")
    assert flashed(response)[-1] == f"Scheduled 1 approved video(s) for {channel} at their rows' times."
    publication = Publication.objects.get()
    assert publication.row == row and publication.publish_at == at and publication.title == "Why tea"
    owner_client.post(f"/studio/publishing/connections/{channel.pk}/schedule-approved/")
    assert Publication.objects.count() == 1  # once


def test_a_refused_row_without_a_video_does_not_keep_the_approved_ones_from_being_scheduled(owner_client, row, channel):
    SeriesRow.objects.filter(pk=row.pk).update(publish_at=timezone.now() + timedelta(days=2))
    SeriesRowFactory(series=row.series, status=SeriesRow.Status.INVALID, job=None, script=None)
    owner_client.post(f"/studio/publishing/connections/{channel.pk}/schedule-approved/")
    assert Publication.objects.get().row == row


def test_a_video_sent_back_for_changes_after_scheduling_does_not_go_out(
    row, channel, google, django_capture_on_commit_callbacks
):
    publication = due(row, channel)
    SeriesRow.objects.filter(pk=row.pk).update(status=SeriesRow.Status.CHANGES_REQUESTED)
    send_due(django_capture_on_commit_callbacks)
    publication.refresh_from_db()
    assert publication.status == Pub.FAILED and "no longer the approved one" in publication.error
    assert not google.videos


def test_a_publication_whose_task_was_lost_is_failed_not_left_waiting(row, channel):
    publication = due(row, channel, status=Pub.PUBLISHING)
    Publication.objects.filter(pk=publication.pk).update(updated_at=timezone.now() - timedelta(days=1))
    publish.publish_due()
    publication.refresh_from_db()
    assert publication.status == Pub.FAILED and "task was lost" in publication.error


def test_a_consent_with_a_permission_left_out_connects_nothing_and_says_why(owner_client, google):
    google.granted_scope = "https://www.googleapis.com/auth/youtube.readonly"
    state = parse_qs(urlsplit(owner_client.post("/studio/publishing/youtube/connect/")["Location"]).query)["state"][0]
    response = owner_client.get("/studio/publishing/youtube/callback/", {"state": state, "code": fake_google.GOOD_CODE})
    assert flashed(response)[-1].startswith("YouTube was not connected: Google granted other permissions than asked")
    assert not Connection.objects.exists()


def test_a_video_file_that_cannot_be_read_fails_the_publication_not_leaves_it_waiting(
    row, channel, google, django_capture_on_commit_callbacks
):
    output = row.job.outputs.get(kind=RenderOutput.Kind.MP4)
    output.file.storage.delete(output.file.name)
    publication = due(row, channel)
    with pytest.raises(FileNotFoundError):
        send_due(django_capture_on_commit_callbacks)
    publication.refresh_from_db()
    assert publication.status == Pub.FAILED and "failed unexpectedly" in publication.error


def test_approved_videos_without_a_time_take_the_cadences_next_free_slots(owner_client, row, channel):
    second = SeriesRowFactory(series=row.series, status=SeriesRow.Status.APPROVED, title="Why coffee")
    RenderOutput.objects.create(job=second.job, kind=RenderOutput.Kind.MP4, file=ContentFile(b"mp4", name="v.mp4"))
    response = owner_client.post(
        f"/studio/publishing/connections/{channel.pk}/schedule-approved/", {"cadence": "daily at 17:00 UTC"}
    )
    assert "Scheduled 2 approved video(s)" in flashed(response)[-1]
    times = list(Publication.objects.order_by("publish_at").values_list("title", "publish_at"))
    assert [title for title, _ in times] == ["Why tea", "Why coffee"]
    assert times[1][1] - times[0][1] == timedelta(days=1) and times[0][1].hour == 17


def test_an_unreadable_cadence_schedules_nothing(owner_client, row, channel):
    response = owner_client.post(
        f"/studio/publishing/connections/{channel.pk}/schedule-approved/", {"cadence": "sometimes"}
    )
    assert flashed(response)[-1].startswith("Cannot read the cadence") and not Publication.objects.exists()


def test_the_series_page_shows_where_each_row_goes_and_how_it_went(owner_client, row, channel):
    publication = due(row, channel, status=Pub.FAILED)
    page = owner_client.get(f"/studio/series/{row.series.public_id}/").content.decode()
    assert f"#publication-{publication.public_id}" in page and "YouTube: Tea Time Channel: failed" in page
