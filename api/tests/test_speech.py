"""The drop-in endpoints' synthesis in the web process: settings like renders, and no job left behind on failure."""

import pytest

from billing.models import Reservation, UsageEntry
from renders.models import RenderJob
from voices.models import Voice

from .conftest import workspace_of
from .test_auth import error_of

pytestmark = pytest.mark.django_db


def speak(api, voice: str = "joe", **extra):
    return api.post(
        "/v1/audio/speech", {"model": "tts-1", "voice": voice, "input": "Hello there.", **extra}, format="json"
    )


def assert_failed_and_released(job: RenderJob) -> None:
    assert job.status == RenderJob.Status.FAILED and job.error
    assert job.reservation.status == Reservation.Status.RELEASED
    assert not UsageEntry.objects.exists()


def test_it_narrates_with_the_render_settings(api, settings):
    settings.RENDER_VERIFY = False
    response = speak(api)
    assert response.status_code == 200 and response["Content-Type"] == "audio/mpeg"
    job = RenderJob.objects.get()
    assert job.status == RenderJob.Status.SUCCEEDED and job.report["verified"] is False
    assert job.reservation.status == Reservation.Status.SETTLED


def test_an_engine_error_fails_the_job_and_answers_502(api, owner):
    # A library voice on an engine this server does not have (e.g. one that was removed).
    Voice.objects.create(workspace=workspace_of(owner), name="Robot", engine="espeak")
    response = speak(api, voice="Robot")
    error = error_of(response)
    assert response.status_code == 502 and error["code"] == "synthesis_failed" and "espeak" in error["message"]
    assert_failed_and_released(RenderJob.objects.get())


def test_an_internal_error_fails_the_job_and_answers_500(api, settings):
    settings.RENDER_VERIFY_WORKERS = 0  # a misconfigured server: the narration stage cannot start its pool
    response = speak(api)
    assert response.status_code == 500 and error_of(response)["code"] == "server_error"
    assert_failed_and_released(RenderJob.objects.get())
