"""POST /api/v1/drafts: without a writing model, an outline with [[parts]] to write; renders refuse them."""

import pytest

from mediakit.text.script import parse_text
from renders.models import RenderJob

from .test_auth import error_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/drafts"


def test_a_draft_is_an_outline_in_the_script_format(api):
    response = api.post(URL, {"topic": "Cold brew", "seconds": 60, "speakers": ["Ana", "Ben"]}, format="json")
    assert response.status_code == 200, response.json()
    draft = response.json()
    assert draft["writer"] == "outline" and draft["title"] == "Cold brew" and draft["words"] == 150
    assert [block.speaker for block in parse_text(draft["body"])] == ["Ana", "Ben", "Ana", "Ben", "Ana"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "topic"),
        ({"topic": "x", "seconds": 0}, "seconds"),
        ({"topic": "x", "seconds": 10800}, "seconds"),
        ({"topic": "x", "platform": "myspace"}, "platform"),
        ({"topic": "x", "speakers": ["A", "B", "C", "D", "E"]}, "speakers"),
        ({"topic": "x", "speakers": ["Host: me"]}, "non_field_errors"),
    ],
)
def test_bad_requests_are_400_naming_the_field(api, data, field):
    response = api.post(URL, data, format="json")
    assert response.status_code == 400 and field in error_of(response)["details"]


def test_a_draft_with_parts_left_to_write_is_not_rendered(api):
    body = api.post(URL, {"topic": "Cold brew", "seconds": 30}, format="json").json()["body"]
    response = api.post("/api/v1/synthesize", {"script": body}, format="json")
    assert response.status_code == 400
    assert "write the outline's 5 [[…]] part(s) first" in error_of(response)["details"]["script"][0]
    assert not RenderJob.objects.exists()
