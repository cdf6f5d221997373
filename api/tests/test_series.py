"""Series over the API: POST /series (JSON rows or a CSV/JSON file), GET /series/{id}; bad rows reported by
number, unreadable uploads refused with a 400 that creates nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Membership
from publishing.models import Series, SeriesRow
from scripts.models import Script
from tests.factories import CampaignFactory, workspace_of

from .test_auth import error_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/series"


@pytest.fixture
def campaign(api, owner):
    return CampaignFactory(workspace=workspace_of(owner), name="Facts")


def csv_file(text: str | bytes, name: str = "rows.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


def test_json_rows_start_a_series_and_a_bad_row_is_reported_by_number(
    api, campaign, django_capture_on_commit_callbacks
):
    rows = [
        {"script": "Host: Hello there.", "title": "One", "tags": ["a", "b"], "publish_at": "2026-12-24T17:00:00Z"},
        {"topic": "Tea", "title": "=cmd()"},
        {"topic": "Why the sky is blue", "voices": {"Host": "Nobody"}},
        {"topic": "Rain", "ai_disclosure": False},
    ]
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post(URL, {"name": "Week 1", "campaign": campaign.pk, "rows": rows}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Week 1" and body["campaign"] == campaign.pk and body["running"] is True
    by_number = {row["number"]: row for row in body["rows"]}
    assert by_number[1]["status"] == "rendering" and by_number[1]["job_id"] and by_number[1]["tags"] == ["a", "b"]
    assert by_number[1]["publish_at"] == "2026-12-24T17:00:00Z"
    assert by_number[2]["status"] == "invalid" and by_number[2]["error"].startswith("title: looks like a spreadsheet")
    assert by_number[3]["error"] == "voices: no voice named 'Nobody' in your library"
    assert by_number[4]["status"] == "needs_script" and by_number[4]["ai_disclosure"] is False
    assert body["counts"]["invalid"] == 2 and body["counts"]["total"] == 4

    shown = api.get(f"{URL}/{body['id']}")
    assert shown.status_code == 200 and shown.json()["rows"] == body["rows"]
    assert api.get(URL).json()["results"][0]["id"] == body["id"]


def test_a_csv_file_starts_a_series(api, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post(
            URL, {"name": "CSV", "campaign": campaign.pk, "file": csv_file("topic,title\nTea,Why tea\n")}
        )
    assert response.status_code == 201, response.json()
    assert response.json()["rows"][0]["title"] == "Why tea"
    assert Script.objects.get(pk=response.json()["rows"][0]["script_id"]).campaign == campaign


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"file": csv_file("topic\n".encode("utf-16"))}, "file", "The file is not UTF-8 text"),
        ({"file": csv_file("topc\nTea\n")}, "file", "Unknown column 'topc'"),
        ({"file": csv_file("topic\n" + "Tea\n" * 4)}, "file", "The file has more than 3 rows"),
        ({"file": csv_file(b"topic\nTea\x00\n")}, "file", "The file contains NUL characters"),
        ({"file": csv_file("topic\n" + "x" * 3000)}, "file", "The file is larger than 2 KB, the limit"),
        ({"file": csv_file("topic,title\n,A\n,B\n")}, "rows", "row 2: give a topic or a script"),
        ({"file": csv_file('[{"topic": "x"')}, "file", "The file is not valid JSON"),
    ],
)
def test_an_upload_that_cannot_go_on_is_a_400_and_creates_nothing(api, campaign, settings, payload, field, message):
    settings.SERIES_MAX_ROWS = 3
    settings.SERIES_MAX_UPLOAD_BYTES = 2048
    response = api.post(URL, {"name": "Bad", "campaign": campaign.pk, **payload})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert error["details"][field][0].startswith(message), error
    assert not Series.objects.exists() and not SeriesRow.objects.exists() and not Script.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"rows": "topic,title"}, "rows"),
        ({"rows": []}, "rows"),
        ({"rows": [{"topic": "x"}] * 4}, "rows"),
        ({}, "rows"),
        ({"campaign": 999999}, "campaign"),
        ({"campaign": "x"}, "campaign"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_json_requests_are_400_naming_the_field(api, campaign, settings, payload, field):
    settings.SERIES_MAX_ROWS = 3
    request = {"name": "Bad", "campaign": campaign.pk, **payload}
    response = api.post(URL, request, format="json")
    assert response.status_code == 400 and field in error_of(response)["details"], response.json()
    assert not Series.objects.exists()


def test_rows_and_a_file_together_are_refused(api, campaign):
    payload = {"name": "Both", "campaign": campaign.pk, "rows": '[{"topic": "x"}]', "file": csv_file("topic\nTea\n")}
    response = api.post(URL, payload)
    assert response.status_code == 400 and "not both" in error_of(response)["message"]


def test_other_workspaces_series_are_404_and_their_campaigns_unknown(api, outsider_api, campaign):
    with_rows = {"name": "Mine", "campaign": campaign.pk, "rows": [{"topic": "Tea"}]}
    created = api.post(URL, with_rows, format="json").json()
    assert outsider_api.get(f"{URL}/{created['id']}").status_code == 404
    refused = outsider_api.post(URL, with_rows, format="json")
    assert refused.status_code == 400 and "campaign" in error_of(refused)["details"]


def test_a_viewers_key_reads_but_cannot_start_a_series(api, owner, campaign):
    Membership.objects.filter(user=owner).update(role=Membership.Role.VIEWER)
    response = api.post(URL, {"name": "No", "campaign": campaign.pk, "rows": [{"topic": "Tea"}]}, format="json")
    assert response.status_code == 403
    assert api.get(URL).status_code == 200
