"""The voice library pages in the Studio: list, create, edit, delete, preview, each scoped to the workspace."""

import base64
import io
import wave

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.services import ensure_personal_workspace
from mediakit.audio import wav_bytes
from renders.models import RenderJob
from tests.factories import VoiceFactory, workspace_of
from tests.fake_elevenlabs import API_KEY
from voices.models import Voice
from voices.services import voice_specs_for

pytestmark = pytest.mark.storage  # stored files: .ci/run runs these on a bucket too


def speech_like_wav(seconds: float = 35.0, rate: int = 16000) -> bytes:
    """A tone with a syllable-rate envelope: loud enough, never clipped, long enough to clone from."""
    t = np.arange(round(seconds * rate)) / rate
    samples = 0.3 * np.sin(2 * np.pi * 180 * t) * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t))
    return wav_bytes(samples, rate)


@pytest.fixture
def voice(owner):
    return VoiceFactory(workspace=workspace_of(owner), name="Host", engine_voice_id="joe-deep")


def piper_post(**overrides):
    return {"name": "Guest", "engine": "piper", "piper-voice_id": "joe-bright", "language": "en", **overrides}


def test_the_list_shows_the_workspaces_voices_only(owner_client, voice, outsider):
    VoiceFactory(workspace=workspace_of(outsider), name="Secret")
    page = owner_client.get(reverse("voices:list")).content.decode()
    assert "Host" in page and "Secret" not in page
    assert reverse("voices:list") in owner_client.get(reverse("studio:home")).content.decode()  # top nav link


def test_it_creates_a_piper_voice_with_settings(owner_client, owner):
    response = owner_client.post(reverse("voices:new"), piper_post(**{"piper-speed": "1.2", "piper-pitch": "0.9"}))
    assert response.status_code == 302
    voice = Voice.objects.get(name="Guest")
    assert voice.workspace == ensure_personal_workspace(owner)
    assert (voice.engine_voice_id, voice.settings) == ("joe-bright", {"speed": 1.2, "pitch": 0.9})


def test_the_form_offers_piper_presets_and_only_configured_engines(owner_client, settings):
    settings.ELEVENLABS_API_KEY = ""
    page = owner_client.get(reverse("voices:new")).content.decode()
    assert 'value="joe-calm"' in page and 'value="elevenlabs"' not in page and "ElevenLabs voice id" not in page
    settings.ELEVENLABS_API_KEY = API_KEY
    assert 'value="elevenlabs"' in owner_client.get(reverse("voices:new")).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (piper_post(**{"piper-speed": "9"}), "piper-speed", "less than or equal to 2.0"),
        (piper_post(**{"piper-pitch": "high"}), "piper-pitch", "Enter a number"),
        (piper_post(**{"piper-voice_id": "nobody"}), "piper-voice_id", "Select a valid choice"),
        (piper_post(engine="elevenlabs"), "engine", "Select a valid choice"),  # not configured here
        (piper_post(name="host"), "name", "already has a voice with this name"),
    ],
)
def test_bad_input_gets_form_errors(owner_client, voice, settings, data, field, message):
    settings.ELEVENLABS_API_KEY = ""
    response = owner_client.post(reverse("voices:new"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Voice.objects.filter(name="Guest").exists()


def test_a_bad_sample_is_refused_on_the_form_and_not_stored(owner_client, settings):
    notes = SimpleUploadedFile("me.wav", b"not a recording at all\n" * 100, content_type="audio/wav")
    response = owner_client.post(reverse("voices:new"), {**piper_post(), "sample": notes})
    assert "not audio we can read" in " ".join(response.context["form"].errors["sample"])
    assert not Voice.objects.exists()
    assert not (settings.MEDIA_ROOT / "workspaces").exists()


def test_a_short_sample_is_refused(owner_client):
    clip = SimpleUploadedFile("clip.wav", speech_like_wav(5.0), content_type="audio/wav")
    response = owner_client.post(reverse("voices:new"), {**piper_post(), "sample": clip})
    assert "record at least 30 s" in " ".join(response.context["form"].errors["sample"])


def test_a_good_sample_is_stored_under_the_workspace(owner_client, owner, settings):
    sample = speech_like_wav()
    upload = SimpleUploadedFile("me.wav", sample, content_type="audio/wav")
    assert owner_client.post(reverse("voices:new"), {**piper_post(), "sample": upload}).status_code == 302
    voice = Voice.objects.get(name="Guest")
    workspace = ensure_personal_workspace(owner)
    assert voice.sample.name.startswith(f"workspaces/{workspace.pk}/voices/")
    assert voice.sample.read() == sample


def test_an_elevenlabs_voice_is_cloned_from_its_sample(owner_client, fake):
    fake.answer("/v1/voices/add", 200, {"voice_id": "cloned-1", "requires_verification": False})
    sample = speech_like_wav()
    data = {
        "name": "Me",
        "engine": "elevenlabs",
        "language": "en",
        "elevenlabs-stability": "0.4",
        "elevenlabs-similarity": "0.9",
    }
    upload = SimpleUploadedFile("me.wav", sample, content_type="audio/wav")
    assert owner_client.post(reverse("voices:new"), {**data, "sample": upload}).status_code == 302
    voice = Voice.objects.get(name="Me")
    assert (voice.engine_voice_id, voice.settings) == ("cloned-1", {"stability": 0.4, "similarity": 0.9})
    assert sample in fake.requests[0].body and voice.sample.read() == sample


def test_an_elevenlabs_failure_is_a_form_error(owner_client, fake):
    fake.answer("/v1/voices/add", 401, {"detail": {"status": "invalid_api_key"}})
    upload = SimpleUploadedFile("me.wav", speech_like_wav(), content_type="audio/wav")
    response = owner_client.post(
        reverse("voices:new"), {"name": "Me", "engine": "elevenlabs", "language": "en", "sample": upload}
    )
    assert "ElevenLabs refused the API key" in " ".join(response.context["form"].non_field_errors())
    assert not Voice.objects.exists()


def test_an_elevenlabs_voice_needs_an_id_or_a_sample(owner_client, fake):
    response = owner_client.post(reverse("voices:new"), {"name": "Me", "engine": "elevenlabs", "language": "en"})
    assert "or upload a sample" in " ".join(response.context["form"].errors["elevenlabs-voice_id"])


def test_it_edits_a_voice(owner_client, voice):
    page = owner_client.get(reverse("voices:edit", args=[voice.pk])).content.decode()
    assert 'value="joe-deep" selected' in page
    response = owner_client.post(
        reverse("voices:edit", args=[voice.pk]),
        piper_post(**{"name": "Host", "piper-voice_id": "joe-calm", "piper-variation": "0.2"}),
    )
    assert response.status_code == 302
    voice.refresh_from_db()
    assert (voice.engine_voice_id, voice.settings) == ("joe-calm", {"variation": 0.2})


def test_preview_returns_an_inline_wav(owner_client, voice):
    # How fast a preview answers is a speed figure, not a unit test's business (timed asserts fail on a busy machine).
    url = reverse("voices:preview", args=[voice.pk])
    response = owner_client.post(url, {"text": "Testing one two."}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<audio" in body and "<html" not in body
    wav = base64.b64decode(body.split("data:audio/wav;base64,")[1].split('"')[0])
    with wave.open(io.BytesIO(wav)) as audio:
        assert audio.getframerate() == 22050 and audio.getnframes() > 22050 * 0.5


def test_preview_says_the_text_as_a_render_would(owner_client, voice):
    from mediakit.speech.verify import hear

    response = owner_client.post(
        reverse("voices:preview", args=[voice.pk]), {"text": "We are No. 1 today."}, HTTP_HX_REQUEST="true"
    )
    wav = base64.b64decode(response.content.decode().split("data:audio/wav;base64,")[1].split('"')[0])
    with wave.open(io.BytesIO(wav)) as audio:
        samples = np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2").astype(np.float32) / 32768
        rate = audio.getframerate()
    assert "number one" in hear(samples, rate).transcript.lower()  # unnormalised, Piper says "No", "one"


def test_preview_of_only_emoji_asks_for_words(owner_client, voice):
    response = owner_client.post(reverse("voices:preview", args=[voice.pk]), {"text": "🎉 !"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "Write some words to hear" in response.content.decode()


def test_preview_without_htmx_is_a_full_page(owner_client, voice):
    response = owner_client.post(reverse("voices:preview", args=[voice.pk]), {"text": ""})
    page = response.content.decode()
    assert "<html" in page and "data:audio/wav;base64," in page


def test_preview_text_is_limited_to_200_characters(owner_client, voice):
    response = owner_client.post(
        reverse("voices:preview", args=[voice.pk]), {"text": "a" * 201}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and "at most 200 characters" in response.content.decode()


def test_preview_engine_errors_are_shown_not_raised(owner_client, owner, settings):
    settings.ELEVENLABS_API_KEY = ""
    voice = Voice.objects.create(workspace=ensure_personal_workspace(owner), name="Eleven", engine="elevenlabs")
    response = owner_client.post(reverse("voices:preview", args=[voice.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "ElevenLabs is not configured" in response.content.decode()


def test_it_deletes_a_voice_and_its_sample(owner_client, voice, settings):
    voice.sample = SimpleUploadedFile("me.wav", b"x")
    voice.save()
    stored = voice.sample.name
    assert owner_client.get(reverse("voices:delete", args=[voice.pk])).status_code == 200
    assert owner_client.post(reverse("voices:delete", args=[voice.pk])).status_code == 302
    assert not Voice.objects.exists() and not default_storage.exists(stored)


@pytest.mark.parametrize("status", [RenderJob.Status.QUEUED, RenderJob.Status.RUNNING])
def test_delete_is_refused_while_a_render_needs_the_voice(owner_client, voice, status):
    RenderJob.objects.create(
        workspace=voice.workspace,
        title="Episode 1",
        blocks=[],
        status=status,
        options={"voices": voice_specs_for(voice.workspace_id, ["host"])},
    )
    response = owner_client.post(reverse("voices:delete", args=[voice.pk]), follow=True)
    assert Voice.objects.filter(pk=voice.pk).exists()
    assert "still needed by a render in progress (“Episode 1”)" in response.content.decode()


def test_a_finished_render_does_not_block_delete(owner_client, voice):
    RenderJob.objects.create(
        workspace=voice.workspace,
        title="Done",
        blocks=[],
        status=RenderJob.Status.SUCCEEDED,
        options={"voices": voice_specs_for(voice.workspace_id, ["Host"])},
    )
    owner_client.post(reverse("voices:delete", args=[voice.pk]))
    assert not Voice.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("voices:edit", "get"),
        ("voices:edit", "post"),
        ("voices:delete", "get"),
        ("voices:delete", "post"),
        ("voices:preview", "post"),
    ],
)
def test_other_workspaces_voices_are_not_found(outsider_client, voice, name, method):
    response = getattr(outsider_client, method)(reverse(name, args=[voice.pk]), piper_post(name="Stolen"))
    assert response.status_code == 404
    voice.refresh_from_db()
    assert voice.name == "Host"


def test_pages_need_a_login(client, voice):
    assert client.get(reverse("voices:list")).status_code == 302
    assert client.post(reverse("voices:preview", args=[voice.pk])).status_code == 302


def test_the_voice_library_stops_at_the_plans_limit(owner_client, owner):
    workspace = ensure_personal_workspace(owner)  # no plan record: Free, which holds 2 voices
    for name in ("One", "Two"):
        assert owner_client.post(reverse("voices:new"), piper_post(name=name)).status_code == 302
    response = owner_client.post(reverse("voices:new"), piper_post(name="Three"))
    page = response.content.decode()
    assert response.status_code == 200 and "holds 2 voices" in page and "See plans and upgrade" in page
    assert sorted(Voice.objects.filter(workspace=workspace).values_list("name", flat=True)) == ["One", "Two"]
    # Editing an existing voice is not a new one: still allowed at the limit.
    two = Voice.objects.get(name="Two")
    assert (
        owner_client.post(reverse("voices:edit", args=[two.pk]), piper_post(name="Two", speed="1.1")).status_code == 302
    )


def test_a_voice_whose_engine_cannot_speak_its_language_is_refused_and_not_saved(owner_client):
    response = owner_client.post(reverse("voices:new"), piper_post(language="ko"))
    assert response.status_code == 200
    assert "Piper (built in) cannot speak Korean here" in response.content.decode()
    assert not Voice.objects.filter(name="Guest").exists()


def test_a_stored_voice_labelled_with_a_language_its_engine_cannot_speak_is_not_previewed(owner_client, voice):
    Voice.objects.filter(pk=voice.pk).update(language="ja")  # saved before voices were checked
    response = owner_client.post(reverse("voices:preview", args=[voice.pk]), {"text": "Hello."}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "cannot speak Japanese here" in body and "<audio" not in body
