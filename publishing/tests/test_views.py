"""The Studio's series pages: upload a CSV, see the batch; bad uploads are form errors, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Membership
from publishing.models import Series, SeriesRow
from tests.factories import CampaignFactory, make_member
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace):
    return CampaignFactory(workspace=workspace, name="Facts")


def upload(client, campaign, data: bytes, name: str = "Week 1"):
    return client.post(
        "/studio/series/", {"name": name, "campaign": campaign.pk, "file": SimpleUploadedFile("rows.csv", data)}
    )


def test_a_csv_upload_starts_the_series_and_its_page_names_the_bad_rows(owner_client, campaign):
    response = upload(owner_client, campaign, b"topic,title\nTea,Why tea\n,No topic\n")
    series = Series.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/studio/series/{series.public_id}/"
    page = owner_client.get(response["Location"]).content.decode()
    assert "1 row(s) were refused" in page
    assert 'id="row-3" data-status="invalid"' in page and "give a topic or a script" in page
    assert 'id="row-2" data-status="needs_script"' in page and "Write the outline" in page
    assert "Week 1" in owner_client.get("/studio/series/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfet\x00o\x00", "The file is not UTF-8 text"),
        (b"topic,colour\nTea,red\n", "Unknown column &#x27;colour&#x27;"),
        (b"topic,title\n,A\n", "Row 2: give a topic or a script"),
    ],
)
def test_an_upload_that_cannot_go_on_is_a_form_error_and_creates_nothing(owner_client, campaign, data, message):
    response = upload(owner_client, campaign, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Series.objects.exists() and not SeriesRow.objects.exists()


def test_another_workspaces_campaign_cannot_be_chosen(owner_client, outsider):
    theirs = CampaignFactory(workspace=outsider.memberships.get().workspace)
    response = upload(owner_client, theirs, b"topic\nTea\n")
    assert response.status_code == 400 and not Series.objects.exists()


def test_a_viewer_sees_the_series_but_cannot_start_one(workspace, campaign):
    viewer = make_member("viewer@example.com")
    Membership.objects.create(workspace=workspace, user=viewer, role=Membership.Role.VIEWER)
    client = client_working_in(viewer, workspace)
    assert client.get("/studio/series/").status_code == 200
    assert upload(client, campaign, b"topic\nTea\n").status_code == 403
    assert not Series.objects.exists()


def test_the_studio_header_links_the_series_review_and_publishing_pages(owner_client):
    page = owner_client.get("/studio/").content.decode()
    for url in ("/studio/series/", "/studio/review/", "/studio/publishing/"):
        assert f'<a href="{url}">' in page
