"""With a bucket configured (a real S3-protocol server: moto's), outputs, uploads and the speech cache live in it,
downloads are presigned URLs of it, nothing lands in MEDIA_ROOT, and a storage that fails is named, never a 500."""

import socket
import urllib.request
from email.message import Message
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from django.core import signing
from django.urls import reverse
from storages.backends.s3 import S3Storage

from api.tests.test_auth import error_of
from api.tests.test_jobs import finished_job
from api.tests.test_speakers import recording
from mediakit.pipeline import RenderContext
from mediakit.speech.align import HeardWord
from mediakit.speech.cache import SpeechCache, UnitAudio
from mediakit.text.script import parse_text
from renders.media import fetch_media
from renders.models import RenderJob, RenderOutput
from renders.services import create_job, run_job
from scripts.models import Campaign, Script
from studio.tests.test_campaigns import BRAND, picture
from tests.factories import workspace_of
from tests.fixtures import s3_storage_settings
from voices.models import Voice

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


@pytest.fixture(autouse=True)
def quick_renders(settings):
    settings.RENDER_VERIFY = False  # hearing units back has its own tests: here the files are the point
    settings.RENDER_VIDEO_HEIGHT = 240


def fetch(url: str, byte_range: str | None = None) -> tuple[int, Message, bytes]:
    """GET with a real HTTP client, as a browser or the API client follows the redirect."""
    request = urllib.request.Request(url, headers={"Range": byte_range} if byte_range else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def storage_down(settings, bucket) -> None:
    """The same bucket name on an address where no server listens: a storage machine that is down."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage_settings(f"http://127.0.0.1:{closed_port()}", bucket.name),
    }


def test_a_renders_outputs_and_speech_cache_land_in_the_bucket_and_not_on_local_disk(owner, bucket, settings):
    workspace = workspace_of(owner)
    job = create_job(workspace=workspace, blocks=parse_text("Host: Hello there."), title="T", kind="audio")
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.SUCCEEDED, job.error
    keys = bucket.keys()
    outputs = {output.kind: output for output in job.outputs.all()}
    assert {"wav", "mp3", "srt", "vtt", "json"} <= set(outputs)
    for output in outputs.values():
        assert output.file.name.startswith(f"workspaces/{workspace.pk}/jobs/{job.public_id}/")
        assert output.file.name in keys and len(bucket.read(output.file.name)) == output.size
    assert any(key.startswith(f"workspaces/{workspace.pk}/speech-cache/") for key in keys)
    assert not Path(settings.MEDIA_ROOT).exists()  # not one file, not one folder


def test_an_api_download_redirects_to_a_presigned_url_that_serves_the_bytes_and_ranges(
    api, owner, bucket, client, s3_endpoint, settings
):
    job = finished_job(workspace_of(owner))
    link = api.get(f"/api/v1/jobs/{job.public_id}").json()["outputs"][0]["url"]
    response = client.get(link + "?download=1")
    assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert location.startswith(f"{s3_endpoint}/{bucket.name}/workspaces/{job.workspace_id}/jobs/{job.public_id}/")
    assert 0 < int(parse_qs(urlsplit(location).query)["X-Amz-Expires"][0]) <= settings.API_DOWNLOAD_URL_MAX_AGE
    status, headers, content = fetch(location)
    assert (status, content) == (200, b"0123456789")
    assert headers["Content-Disposition"] == f'attachment; filename="{job.public_id}-narration.wav"'
    status, headers, content = fetch(location, "bytes=2-5")
    assert (status, content, headers["Content-Range"]) == (206, b"2345", "bytes 2-5/10")
    assert not Path(settings.MEDIA_ROOT).exists()


def test_a_presigned_url_expires_when_the_signed_link_does_not_later(api, owner, bucket, client, monkeypatch):
    job = finished_job(workspace_of(owner))
    now = signing.time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now - 600)  # the link was made 10 minutes ago (of 15)
    link = api.get(f"/api/v1/jobs/{job.public_id}").json()["outputs"][0]["url"]
    monkeypatch.undo()
    expires = int(parse_qs(urlsplit(client.get(link)["Location"]).query)["X-Amz-Expires"][0])
    assert 240 <= expires <= 300  # not the full 900: what the link has left (slack for a slow machine)


def test_the_studio_player_is_redirected_to_the_bucket_with_the_file_named_and_typed(owner_client, owner, bucket):
    job = finished_job(workspace_of(owner))
    response = owner_client.get(reverse("renders:job_file", args=[job.public_id, "wav"]))
    assert response.status_code == 302
    status, headers, content = fetch(response["Location"], "bytes=0-3")
    assert (status, content) == (206, b"0123")
    assert headers["Content-Disposition"] == 'inline; filename="Done-narration.wav"'
    assert headers["Content-Type"] in ("audio/wav", "audio/x-wav")


def test_a_file_gone_from_the_bucket_is_a_404(api, owner, bucket, client):
    job = finished_job(workspace_of(owner))
    link = api.get(f"/api/v1/jobs/{job.public_id}").json()["outputs"][0]["url"]
    bucket.client.delete_object(Bucket=bucket.name, Key=job.outputs.get().file.name)
    response = client.get(link)
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_an_uploaded_logo_is_stored_in_the_bucket_and_the_worker_renders_with_it(
    owner_client, owner, bucket, tmp_path, settings, commit_after_each_post
):
    response = owner_client.post(reverse("studio:campaign_new"), {**BRAND, "logo": picture(tmp_path)})
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.logo.name in bucket.keys(f"workspaces/{campaign.workspace_id}/campaigns/")
    script = Script.objects.create(workspace=campaign.workspace, campaign=campaign, title="T", body="Host: Hi.")
    owner_client.post(reverse("studio:script_render", args=[script.pk]), {"kind": "video", "aspect": "16:9"})
    job = RenderJob.objects.get()
    assert job.status == RenderJob.Status.SUCCEEDED, job.error
    assert job.options["logo"] == campaign.logo.name  # the job names the stored logo; the worker fetched it
    assert job.outputs.get(kind=RenderOutput.Kind.MP4).file.name in bucket.keys()  # noqa: SIM118 (a listing, not a dict)
    assert not Path(settings.MEDIA_ROOT).exists()


def test_the_worker_copies_an_upload_from_the_bucket_byte_for_byte(owner, bucket, tmp_path):
    logo = picture(tmp_path)
    name = f"workspaces/{workspace_of(owner).pk}/campaigns/x/logo.png"
    bucket.client.put_object(Bucket=bucket.name, Key=name, Body=logo.read())
    job = RenderJob.objects.create(workspace=workspace_of(owner), title="T", blocks=[], options={"logo": name})
    ctx = RenderContext(blocks=[], voices={}, workdir=tmp_path / "work")
    fetch_media(job, job.render_options, ctx)
    assert Path(ctx.logo).read_bytes() == bucket.read(name)


@pytest.mark.django_db(transaction=True)  # autocommit as in production: no test transaction for the save to spoil
def test_a_missing_bucket_refuses_an_upload_with_a_503_that_says_so(
    owner_client, bucket, settings, tmp_path, s3_endpoint
):
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage_settings(s3_endpoint, "no-such-bucket")}
    response = owner_client.post(reverse("studio:campaign_new"), {**BRAND, "logo": picture(tmp_path)})
    assert response.status_code == 503
    assert (
        "The file storage is not set up (its bucket does not exist); nothing was saved. Try again in a moment."
        in response.content.decode()
    )
    assert not Campaign.objects.exists()


def test_an_unreachable_storage_answers_an_api_download_with_a_503(api, owner, bucket, client, settings):
    job = finished_job(workspace_of(owner))
    link = api.get(f"/api/v1/jobs/{job.public_id}").json()["outputs"][0]["url"]
    storage_down(settings, bucket)
    response = client.get(link)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert error_of(response) == {
        "code": "storage_unavailable",
        "message": "The file storage cannot be reached right now. Try again in a moment.",
        "details": {},
    }


def test_a_render_whose_storage_is_down_fails_saying_so_and_costs_nothing(owner, bucket, settings):
    storage_down(settings, bucket)
    job = create_job(workspace=workspace_of(owner), blocks=parse_text("Host: Hello."), title="T", kind="audio")
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED
    assert job.error == "narrate: the file storage cannot be reached right now; retry the render later."
    assert job.reservation.status == "released" and not hasattr(job, "usage")


def test_two_workers_share_one_speech_cache_through_the_bucket(bucket, settings):
    options = settings.STORAGES["default"]["OPTIONS"]
    first, second = SpeechCache(S3Storage(**options), "cache"), SpeechCache(S3Storage(**options), "cache")
    unit = UnitAudio(
        samples=np.linspace(-0.5, 0.5, 2205, dtype=np.float32),
        heard=[HeardWord("hello", 0.0, 0.1)],
        transcript="hello",
        score=1.0,
        tries=1,
        spoken_text="hello",
        verified=True,
    )
    assert second.load("k" * 64) is None
    first.save("k" * 64, unit)
    shared = second.load("k" * 64)
    assert shared is not None and np.array_equal(shared.samples, unit.samples) and shared.heard == unit.heard
    first.save("k" * 64, unit)  # written again (a regenerated unit): replaced, not copied beside
    assert bucket.keys("cache/") == [f"cache/kk/{'k' * 64}.npz"]


def test_a_voice_sample_sent_to_the_api_is_stored_in_the_bucket(api, owner, bucket, settings):
    response = api.post("/api/v1/speakers", {"name": "Me", "sample": recording(31)}, format="multipart")
    assert response.status_code == 201, response.json()
    sample = Voice.objects.get().sample.name
    assert sample.startswith(f"workspaces/{workspace_of(owner).pk}/voices/") and sample in bucket.keys()  # noqa: SIM118
    assert bucket.read(sample)[:4] == b"RIFF" and not Path(settings.MEDIA_ROOT).exists()


@pytest.mark.django_db(transaction=True)  # autocommit as in production
def test_an_api_upload_while_the_storage_is_down_is_a_503_and_saves_nothing(api, bucket, settings):
    storage_down(settings, bucket)
    response = api.post("/api/v1/speakers", {"name": "Me", "sample": recording(31)}, format="multipart")
    assert response.status_code == 503 and error_of(response)["code"] == "storage_unavailable"
    assert error_of(response)["message"] == (
        "The file storage cannot be reached right now; nothing was saved. Try again in a moment."
    )
    assert not Voice.objects.exists()


def test_healthz_checks_the_bucket_and_names_it_when_it_is_missing(client, bucket, settings, s3_endpoint):
    assert client.get(reverse("healthz")).json()["checks"]["storage"] == "ok"
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage_settings(s3_endpoint, "no-such-bucket")}
    body = client.get(reverse("healthz")).json()
    assert body["checks"]["storage"] == "error" and "storage" in body["failing"]


def test_deleting_a_job_deletes_its_objects_from_the_bucket(api, owner, bucket):
    job = finished_job(workspace_of(owner))
    prefix = f"workspaces/{job.workspace_id}/jobs/{job.public_id}/"
    assert bucket.keys(prefix) == [job.outputs.get().file.name]
    assert api.delete(f"/api/v1/jobs/{job.public_id}").status_code == 200
    assert bucket.keys(prefix) == []


def test_downloads_are_signed_for_the_address_people_reach_the_bucket_at(api, owner, bucket, client, settings):
    # The app reaches moto at 127.0.0.1, people at "localhost" (as a compose network's s3:9000 and localhost:9000).
    public = bucket.client.meta.endpoint_url.replace("127.0.0.1", "localhost")
    settings.AWS_S3_PUBLIC_ENDPOINT_URL = public
    job = finished_job(workspace_of(owner))
    location = client.get(api.get(f"/api/v1/jobs/{job.public_id}").json()["outputs"][0]["url"])["Location"]
    assert location.startswith(f"{public}/{bucket.name}/")
    assert fetch(location)[2] == b"0123456789"
