import io
import json
from pathlib import Path

import numpy as np
import pytest

from billing.models import Plan
from mediakit.audio import wav_bytes
from renders.models import RenderJob
from tests.factories import workspace_of
from voices.models import Voice

from .test_auth import error_of

pytestmark = [pytest.mark.django_db, pytest.mark.storage]  # stored files: .ci/run runs these on a bucket too


def recording(seconds: float) -> io.BytesIO:
    rate = 16000
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.2 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2).astype(np.float32)
    handle = io.BytesIO(wav_bytes(samples, rate))
    handle.name = "me.wav"
    return handle


def test_registering_a_piper_speaker(api, owner):
    response = api.post(
        "/api/v1/speakers",
        {"name": "Host", "engine": "piper", "voice_id": "joe-deep", "settings": '{"speed": 1.1}'},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Host" and body["voice_id"] == "joe-deep" and body["settings"] == {"speed": 1.1}
    assert Voice.objects.get(pk=body["id"]).workspace == workspace_of(owner)


def test_registering_with_a_sample(api):
    response = api.post("/api/v1/speakers", {"name": "Me", "sample": recording(31)}, format="multipart")
    assert response.status_code == 201 and response.json()["has_sample"] is True
    assert Voice.objects.get().sample.read(4) == b"RIFF"


def test_a_short_sample_is_refused_naming_the_field(api):
    response = api.post("/api/v1/speakers", {"name": "Me", "sample": recording(2)}, format="multipart")
    error = error_of(response)
    assert response.status_code == 400 and "sample" in error["details"] and "at least 30 s" in error["message"]
    assert not Voice.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"engine": "piper"}, "name"),
        ({"name": "X", "engine": "nope"}, "engine"),
        ({"name": "X", "voice_id": "robot"}, "voice_id"),
        ({"name": "X", "settings": '{"speed": 9}'}, "settings"),
        ({"name": "X", "settings": "not json"}, "settings"),
        ({"name": "X", "settings": '{"stability": 0.5}'}, "settings"),  # an ElevenLabs setting on Piper
    ],
)
def test_validation_errors_name_the_field(api, data, field):
    response = api.post("/api/v1/speakers", data, format="multipart")
    assert response.status_code == 400 and field in error_of(response)["details"]


def test_names_are_unique_ignoring_case(api):
    api.post("/api/v1/speakers", {"name": "Host"}, format="json")
    response = api.post("/api/v1/speakers", {"name": "host"}, format="json")
    assert response.status_code == 400 and "name" in error_of(response)["details"]


def test_listing_is_paginated_and_scoped(api, outsider_api):
    for index in range(3):
        api.post("/api/v1/speakers", {"name": f"S{index}"}, format="json")
    outsider_api.post("/api/v1/speakers", {"name": "Theirs"}, format="json")
    page = api.get("/api/v1/speakers?page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert [s["name"] for s in api.get(page["next"]).json()["results"]] == ["S2"]


def test_show_and_delete(api):
    speaker = api.post("/api/v1/speakers", {"name": "Host"}, format="json").json()
    assert api.get(f"/api/v1/speakers/{speaker['id']}").json()["name"] == "Host"
    assert api.delete(f"/api/v1/speakers/{speaker['id']}").status_code == 204
    assert api.get(f"/api/v1/speakers/{speaker['id']}").status_code == 404


def test_other_workspaces_speakers_are_404(api, outsider_api):
    speaker = api.post("/api/v1/speakers", {"name": "Host"}, format="json").json()
    assert error_of(outsider_api.get(f"/api/v1/speakers/{speaker['id']}"))["code"] == "not_found"
    assert outsider_api.delete(f"/api/v1/speakers/{speaker['id']}").status_code == 404
    assert Voice.objects.filter(pk=speaker["id"]).exists()


def test_a_speaker_in_use_is_409(api, owner):
    speaker = api.post("/api/v1/speakers", {"name": "Host"}, format="json").json()
    RenderJob.objects.create(
        workspace=workspace_of(owner),
        title="Busy",
        blocks=[],
        options={"voices": {"Host": {"voice_pk": speaker["id"]}}},
    )
    response = api.delete(f"/api/v1/speakers/{speaker['id']}")
    assert response.status_code == 409 and error_of(response)["code"] == "speaker_in_use"


def test_a_refused_sample_leaves_no_file(api, owner, settings):
    Plan.objects.filter(slug="pro").update(max_voices=0)
    response = api.post("/api/v1/speakers", {"name": "Me", "sample": recording(31)}, format="multipart")
    assert response.status_code == 402 and error_of(response)["code"] == "quota_exceeded"
    assert not Voice.objects.exists()
    assert not any(path.is_file() for path in Path(settings.MEDIA_ROOT).rglob("*"))


@pytest.mark.parametrize(
    ("voice_settings", "message"),
    [
        ({"stability": 1.5}, "stability must be from 0.0 to 1.0, not 1.5"),
        ({"style": -1}, "style must be from 0.0 to 1.0, not -1"),
        ({"similarity_boost": 0.8}, "elevenlabs has no setting 'similarity_boost'; use stability, similarity, style"),
    ],
)
def test_elevenlabs_settings_are_checked(api, settings, voice_settings, message):
    settings.ELEVENLABS_API_KEY = "sk-test"  # offers the engine; nothing is sent to ElevenLabs
    data = {"name": "Eleven", "engine": "elevenlabs", "voice_id": "voice-1", "settings": json.dumps(voice_settings)}
    response = api.post("/api/v1/speakers", data, format="multipart")
    error = error_of(response)
    assert response.status_code == 400 and error["message"] == f"settings: {message}"
    assert not Voice.objects.exists()


def test_another_tenants_elevenlabs_clone_is_a_400_naming_voice_id(api, fake):
    fake.answer("/v1/voices/theirs-9", 200, {"voice_id": "theirs-9", "name": "X", "category": "cloned"})
    response = api.post(
        "/api/v1/speakers", {"name": "Stolen", "engine": "elevenlabs", "voice_id": "theirs-9"}, format="multipart"
    )
    error = error_of(response)
    assert response.status_code == 400 and "voice_id" in error["details"]
    assert "not one of ElevenLabs' stock voices or a clone made in this workspace" in error["message"]
    assert not Voice.objects.exists()


def test_deleting_a_cloned_speaker_deletes_the_clone_at_elevenlabs(api, owner, fake):
    fake.answer("/v1/voices/add", 200, {"voice_id": "cloned-1", "requires_verification": False})
    created = api.post(
        "/api/v1/speakers", {"name": "Me", "engine": "elevenlabs", "sample": recording(31)}, format="multipart"
    )
    assert created.status_code == 201, created.json()
    fake.answer("/v1/voices/cloned-1", 200, {"status": "ok"})
    assert api.delete(f"/api/v1/speakers/{created.json()['id']}").status_code == 204
    assert [r.path for r in fake.requests if r.method == "DELETE"] == ["/v1/voices/cloned-1"]


def test_a_speaker_in_a_language_its_engine_cannot_speak_is_a_400_naming_language(api):
    response = api.post(
        "/api/v1/speakers",
        {"name": "Host", "engine": "piper", "voice_id": "joe-deep", "language": "ko"},
        format="multipart",
    )
    error = error_of(response)
    assert response.status_code == 400 and "language" in error["details"]
    assert "Piper (built in) cannot speak Korean here" in error["message"]
    assert not Voice.objects.exists()
