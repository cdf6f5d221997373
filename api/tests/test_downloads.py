import time
from datetime import datetime

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.urls import reverse

from api.signing import SALT, _signer
from renders.models import RenderOutput
from tests.factories import workspace_of

from .test_auth import error_of
from .test_jobs import finished_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(api, owner) -> str:
    job = finished_job(workspace_of(owner))
    return api.get(f"/api/v1/jobs/{job.public_id}").json()["outputs"][0]["url"]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_signed_urls_work_without_a_key(client, url):
    response = client.get(url)
    assert response.status_code == 200 and body(response) == b"0123456789"
    assert response["Accept-Ranges"] == "bytes"


def test_every_link_works_until_the_stated_expiry(api, owner, settings):
    job = finished_job(workspace_of(owner))
    outputs = api.get(f"/api/v1/jobs/{job.public_id}").json()["outputs"]
    assert len({output["expires_at"] for output in outputs}) == 1  # one expiry for the whole answer
    for output in outputs:
        token = output["url"].rstrip("/").rsplit("/", 1)[-1]
        signed_at = signing.b62_decode(token.rsplit(":", 2)[-2])
        stated = datetime.fromisoformat(output["expires_at"]).timestamp()
        assert stated <= signed_at + settings.API_DOWNLOAD_URL_MAX_AGE < stated + 2


@pytest.mark.parametrize(
    ("header", "content", "content_range"),
    [
        ("bytes=2-5", b"2345", "bytes 2-5/10"),
        ("bytes=7-", b"789", "bytes 7-9/10"),
        ("bytes=-3", b"789", "bytes 7-9/10"),
    ],
)
def test_ranges_are_served_as_206(client, url, header, content, content_range):
    response = client.get(url, HTTP_RANGE=header)
    assert response.status_code == 206 and body(response) == content
    assert response["Content-Range"] == content_range and response["Content-Length"] == str(len(content))


def test_a_range_past_the_end_is_416(client, url):
    response = client.get(url, HTTP_RANGE="bytes=50-60")
    assert response.status_code == 416 and response["Content-Range"] == "bytes */10"


def test_expired_links_are_refused(client, url, settings):
    settings.API_DOWNLOAD_URL_MAX_AGE = 1
    time.sleep(2.1)
    response = client.get(url)
    assert response.status_code == 403 and error_of(response)["code"] == "link_expired"


def test_tampered_links_are_refused(client, url):
    token = url.rsplit("/", 1)[1]
    forged = token.replace(token[3], "A" if token[3] != "A" else "B", 1)
    response = client.get(url.replace(token, forged))
    assert response.status_code == 403 and error_of(response)["code"] == "link_invalid"


def test_a_link_cannot_be_re_signed_for_another_workspace(client, owner, outsider):
    theirs = finished_job(workspace_of(outsider)).outputs.get()
    # A token naming their output with our workspace (as if our signature covered it) finds nothing.
    token = signing.TimestampSigner(salt=SALT).sign_object({"o": theirs.pk, "w": workspace_of(owner).pk})
    response = client.get(reverse("api:file", args=[token]))
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_the_studio_download_serves_ranges_too(owner_client, owner):
    job = finished_job(workspace_of(owner))
    response = owner_client.get(reverse("renders:job_file", args=[job.public_id, "wav"]), HTTP_RANGE="bytes=0-1")
    assert response.status_code == 206 and body(response) == b"01"


def test_a_deleted_file_is_404(client, url):
    RenderOutput.objects.all().delete()
    assert client.get(url).status_code == 404


def test_content_types_follow_the_file(client, owner, api):
    job = finished_job(workspace_of(owner))
    output = RenderOutput(job=job, kind="vtt", size=6)
    output.file.save("captions.vtt", ContentFile(b"WEBVTT"), save=True)
    urls = {o["kind"]: o["url"] for o in api.get(f"/api/v1/jobs/{job.public_id}").json()["outputs"]}
    assert client.get(urls["vtt"])["Content-Type"].startswith("text/vtt")
    assert client.get(urls["wav"])["Content-Type"].startswith("audio/")


def test_links_are_signed_exactly_as_djangos_signer_signs(settings):
    """api.signing derives its HMAC key once; the signatures must stay Django's, or every link out there breaks."""
    for secret in ("one secret " * 5, "another secret " * 5):
        settings.SECRET_KEY = secret
        ours, djangos = _signer(secret), signing.TimestampSigner(salt=SALT)
        value = "eyJvIjoxMjMsInciOjQ1fQ:1xYYke"
        assert ours.signature(value) == djangos.signature(value)
        assert djangos.unsign_object(ours.sign_object({"o": 1, "w": 2})) == {"o": 1, "w": 2}
