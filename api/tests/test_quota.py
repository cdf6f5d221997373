"""Quota over the API: 402 with figures before any work, usage by GET /api/v1/usage, compat calls metered."""

from datetime import datetime

import pytest

from billing.models import UsageEntry
from renders.models import RenderJob
from tests.factories import put_on_plan

pytestmark = pytest.mark.django_db
SCRIPT = {"title": "T", "blocks": [{"speaker": "Host", "text": "Hello there, and welcome."}]}


@pytest.fixture
def used_up(plans, owner):
    """A Pro workspace (Pro includes the API) whose narration minutes are all used this period."""
    workspace = owner.memberships.get().workspace
    put_on_plan(workspace, "pro")
    UsageEntry.objects.create(
        workspace=workspace,
        kind=UsageEntry.Kind.ADJUSTMENT,
        narration_seconds=plans["pro"].included_narration_seconds,
        note="used up for the test",
    )
    return workspace


def test_a_job_the_plan_cannot_take_is_refused_with_402_and_figures(api, used_up):
    response = api.post("/api/v1/synthesize", SCRIPT, format="json")
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "quota_exceeded" and "narration" in error["message"].lower()
    assert set(error["details"]) == {"needed", "remaining", "upgrade_url"}
    assert error["details"]["upgrade_url"].startswith("http://testserver/")
    assert not RenderJob.objects.exists()


def test_the_openai_compatible_endpoint_is_refused_too(api, used_up):
    response = api.post("/v1/audio/speech", {"model": "tts-1", "voice": "joe", "input": "Hi."}, format="json")
    assert response.status_code == 402 and response.json()["error"]["code"] == "quota_exceeded"
    assert not RenderJob.objects.exists()


def test_usage_reports_the_plan_and_what_is_left(api, plans, owner):
    workspace = owner.memberships.get().workspace
    UsageEntry.objects.create(workspace=workspace, kind=UsageEntry.Kind.ADJUSTMENT, narration_seconds=90, note="t")
    body = api.get("/api/v1/usage").json()
    included = plans["pro"].included_narration_seconds
    assert body["plan"]["slug"] == "pro" and body["period_start"] < body["period_end"]
    assert body["narration_seconds"]["used"] == 90 and body["narration_seconds"]["included"] == included
    assert body["narration_seconds"]["remaining"] == included - 90
    assert body["video_renders"]["included"] == plans["pro"].included_video_renders


def test_usage_lists_the_last_months_newest_first(api, plans, owner):
    workspace = owner.memberships.get().workspace
    for when, seconds, renders in [("2026-09-15", 30, 1), ("2026-10-02", 45.5, 2), ("2026-10-20", 14.5, 0)]:
        entry = UsageEntry.objects.create(workspace=workspace, narration_seconds=seconds, video_renders=renders)
        UsageEntry.objects.filter(pk=entry.pk).update(created_at=datetime.fromisoformat(f"{when}T12:00:00+00:00"))
    history = api.get("/api/v1/usage").json()["history"]
    assert history == [
        {"month": "2026-10", "narration_seconds": 60.0, "video_renders": 2},
        {"month": "2026-09", "narration_seconds": 30.0, "video_renders": 1},
    ]


def test_compat_speech_is_metered_like_a_render(api, plans, owner):
    response = api.post("/v1/audio/speech", {"model": "tts-1", "voice": "joe", "input": "Hello there."}, format="json")
    assert response.status_code == 200 and response["Content-Type"] == "audio/mpeg"
    job = RenderJob.objects.get()
    assert job.status == RenderJob.Status.SUCCEEDED
    assert job.usage.narration_seconds > 0
    assert job.reservation.status == "settled"


@pytest.mark.parametrize("path", ["/api/v1/jobs", "/v1/voices"])
def test_a_plan_without_api_access_gets_402_with_the_way_out(api, plans, owner, path):
    put_on_plan(owner.memberships.get().workspace, "free")
    response = api.get(path)
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "quota_exceeded" and "does not include API access" in error["message"]
    assert error["details"]["upgrade_url"].endswith("/studio/billing/")


def test_a_plan_change_applies_to_the_next_request(api, plans, owner):
    workspace = owner.memberships.get().workspace
    assert api.get("/api/v1/jobs").status_code == 200  # the plan row is cached with the key from here on
    put_on_plan(workspace, "free")
    assert api.get("/api/v1/jobs").status_code == 402
    put_on_plan(workspace, "pro")
    assert api.get("/api/v1/jobs").status_code == 200
    plans["pro"].api_access = False
    plans["pro"].save()  # a staff edit of the plan's limits
    assert api.get("/api/v1/jobs").status_code == 402


def test_registering_a_speaker_past_the_plans_voice_limit_is_402(api, plans, owner):
    from voices.models import Voice

    workspace = owner.memberships.get().workspace
    for index in range(plans["pro"].max_voices):
        Voice.objects.create(workspace=workspace, name=f"Voice {index}", engine="piper", engine_voice_id="joe")
    response = api.post("/api/v1/speakers", {"name": "One more", "engine": "piper", "voice_id": "joe"}, format="json")
    assert response.status_code == 402 and response.json()["error"]["details"]["remaining"] == {"voices": 0}
    assert not Voice.objects.filter(name="One more").exists()


def test_the_keys_page_says_when_the_plan_has_no_api(owner_client, plans, owner):
    workspace = owner.memberships.get().workspace
    put_on_plan(workspace, "free")
    assert 'id="no-api-access"' in owner_client.get("/studio/settings/api-keys/").content.decode()
    put_on_plan(workspace, "pro")
    assert 'id="no-api-access"' not in owner_client.get("/studio/settings/api-keys/").content.decode()


def test_usage_takes_a_fixed_number_of_queries(api, plans, owner, django_assert_num_queries):
    put_on_plan(owner.memberships.get().workspace, "pro")
    api.get("/api/v1/usage")  # the key is in the cache from here on
    # This period's usage, the quota held, language-model tokens, AI video seconds, the monthly history (the plan
    # row is cached with the key, for the access check and the figures).
    with django_assert_num_queries(5):
        assert api.get("/api/v1/usage").json()["plan"]["slug"] == "pro"
