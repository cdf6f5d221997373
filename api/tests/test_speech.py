"""The drop-in endpoints' synthesis in the web process: settings like renders, and no job left behind on failure."""

import pytest

from billing.models import Reservation, UsageEntry
from renders.models import RenderJob
from tests.factories import workspace_of
from voices.models import Voice
from voices.tests.test_elevenlabs import pcm_bytes, tone, with_timestamps

from .test_auth import error_of

pytestmark = [pytest.mark.django_db, pytest.mark.storage]  # stored files: .ci/run runs these on a bucket too


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


@pytest.mark.parametrize(
    ("voice_settings", "field"),
    [({"stability": 1.5}, "stability"), ({"similarity_boost": -0.1}, "similarity_boost"), ({"speed": 9}, "speed")],
)
def test_bad_elevenlabs_voice_settings_are_a_400_naming_the_field(api, voice_settings, field):
    response = api.post("/v1/text-to-speech/joe", {"text": "Hi.", "voice_settings": voice_settings}, format="json")
    error = error_of(response)
    assert response.status_code == 400 and error["message"].startswith(f"voice_settings.{field}: ")
    assert not RenderJob.objects.exists()


def test_elevenlabs_voice_settings_reach_an_elevenlabs_voice(api, owner, fake, settings):
    settings.RENDER_VERIFY = False  # the fake's tone is not speech
    voice = Voice.objects.create(
        workspace=workspace_of(owner), name="Eleven", engine="elevenlabs", engine_voice_id="voice-1"
    )
    fake.answer("/v1/text-to-speech/voice-1/with-timestamps", 200, with_timestamps(pcm_bytes(tone(1.0)), "Hi there."))
    voice_settings = {"stability": 0.3, "similarity_boost": 0.8, "style": 0.1, "use_speaker_boost": True, "speed": None}
    response = api.post(
        f"/v1/text-to-speech/{voice.pk}?output_format=pcm_16000",
        {"text": "Hi there.", "voice_settings": voice_settings},
        format="json",
    )
    assert response.status_code == 200, response.content
    sent = fake.requests[0].json()["voice_settings"]
    assert (sent["stability"], sent["similarity_boost"], sent["style"]) == (0.3, 0.8, 0.1)


def test_a_saved_voice_with_settings_from_before_they_were_checked_still_speaks(api, owner, settings):
    settings.RENDER_VERIFY = False
    workspace = workspace_of(owner)
    # Saved before setting names were checked: the unknown name is dropped, the known one still applies.
    voice = Voice.objects.create(workspace=workspace, name="Old", settings={"volume": 2, "speed": 1.1})
    assert api.get(f"/v1/voices/{voice.pk}").status_code == 200
    assert speak(api, voice="Old").status_code == 200
    assert RenderJob.objects.get().options["voices"]["voice"]["settings"] == {"speed": 1.1}
    # A saved value out of range is refused before any job, naming the voice to edit.
    Voice.objects.filter(pk=voice.pk).update(settings={"speed": 40})
    response = speak(api, voice="Old")
    assert response.status_code == 400 and "the voice 'Old' has a saved setting" in error_of(response)["message"]
    assert api.get(f"/v1/voices/{voice.pk}").status_code == 200  # looking it up never fails on its settings
    assert RenderJob.objects.count() == 1
