"""A render says the dictionary's respellings and captions the written words (the real Piper voice and the
real recogniser); the job keeps the dictionary it was created with."""

import pytest

from mediakit.speech.engines.piper.engine import PiperEngine
from mediakit.text.script import parse_text
from renders.models import RenderJob
from renders.options import RenderOptions
from renders.services import create_job, regenerate_block, run_job
from scripts.models import Pronunciation
from scripts.pronunciations import save_pronunciation
from tests.factories import CampaignFactory, ScriptFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def said(monkeypatch) -> list[str]:
    """The texts Piper was asked to say (Piper still says them)."""
    texts: list[str] = []
    speak = PiperEngine.synthesize
    monkeypatch.setattr(
        PiperEngine,
        "synthesize",
        lambda self, text, *args, **kwargs: texts.append(text) or speak(self, text, *args, **kwargs),
    )
    return texts


def captions(job: RenderJob) -> str:
    return job.outputs.get(kind="srt").file.open("rb").read().decode()


def test_the_voice_says_the_campaigns_respelling_and_the_captions_show_the_written_word(workspace, said):
    campaign = CampaignFactory(workspace=workspace)
    save_pronunciation(workspace, written="Acme", spoken="Ackmay")
    save_pronunciation(workspace, written="acme", spoken="Ack-mee", campaign=campaign)  # overrides the workspace's
    script = ScriptFactory(workspace=workspace, campaign=campaign, body="Host: Welcome to Acme, friends.")
    job = create_job(workspace=workspace, blocks=parse_text(script.body), title="T", kind="audio", script=script)
    assert job.options["pronunciations"] == {"acme": "Ack-mee"}

    Pronunciation.objects.filter(campaign=campaign).update(spoken="Acne")  # edited while the job waits
    run_job(job.pk)
    job.refresh_from_db()

    assert job.status == RenderJob.Status.SUCCEEDED
    assert set(said) == {"Welcome to Ack-mee, friends."}  # every take (one heard wrong is tried again)
    assert "Welcome to Acme, friends." in captions(job) and "Ack" not in captions(job)


def test_a_changed_entry_is_not_served_from_the_speech_cache(workspace, said):
    entry = save_pronunciation(workspace, written="Acme", spoken="Ack-mee")
    blocks = parse_text("Host: Welcome to Acme.\nGuest: Nice to meet you.")
    first = create_job(workspace=workspace, blocks=blocks, title="T", kind="audio")
    run_job(first.pk)
    first.refresh_from_db()
    save_pronunciation(workspace, written="Acme", spoken="Ak-mi", entry=entry)
    said.clear()

    again = regenerate_block(first, 1)  # the dictionary as it is now, the other block from the cache if unchanged
    assert again.options["pronunciations"] == {"Acme": "Ak-mi"}
    run_job(again.pk)
    again.refresh_from_db()
    assert set(said) == {"Nice to meet you.", "Welcome to Ak-mi."}  # (a take heard wrong is tried again)
    assert not any(unit["cached"] for block in again.report["blocks"] for unit in block["units"])
    assert "Welcome to Acme." in captions(again)


def test_a_phoneme_entry_is_said_as_phonemes_and_captioned_as_written(workspace, said):
    save_pronunciation(workspace, written="Acme", spoken="ɡˈʊd mˈɔːɹnɪŋ", kind="phonemes")
    job = create_job(workspace=workspace, blocks=parse_text("Host: Welcome to Acme."), title="T", kind="audio")
    assert job.options["pronunciations"] == {"Acme": "[[ ɡˈʊd mˈɔːɹnɪŋ ]]"}
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.SUCCEEDED
    assert set(said) == {"Welcome to [[ ɡˈʊd mˈɔːɹnɪŋ ]]."}
    assert "good morning" in job.report["blocks"][0]["units"][0]["transcript"].lower()
    assert "Welcome to Acme." in captions(job)


def elevenlabs_options() -> RenderOptions:
    return RenderOptions(voices={"Host": {"engine": "elevenlabs", "voice_id": "voice-1", "settings": {}}})


def test_an_elevenlabs_render_saves_the_dictionary_there_once_and_passes_it(workspace, fake, settings):
    from voices.tests.test_elevenlabs import pcm_bytes, tone, with_timestamps

    settings.RENDER_VERIFY, settings.ELEVENLABS_MODEL_ID = False, "eleven_flash_v2"
    answer = with_timestamps(pcm_bytes(tone(1.0)), "Welcome to Acme.")
    fake.answer("/v1/text-to-speech/voice-1/with-timestamps", 200, answer)
    save_pronunciation(workspace, written="Acme", spoken="ˈækmi", kind="phonemes")
    blocks = parse_text("Host: Welcome to Acme.")
    for _ in range(2):
        job = create_job(workspace=workspace, blocks=blocks, title="T", kind="audio", options=elevenlabs_options())
        run_job(job.pk)
        job.refresh_from_db()
        assert job.status == RenderJob.Status.SUCCEEDED, job.error
    paths = [request.path for request in fake.requests]
    assert paths == ["/v1/pronunciation-dictionaries/add-from-rules", "/v1/text-to-speech/voice-1/with-timestamps"]
    sent = fake.requests[1].json()  # the second job reused the cached unit: same words, same dictionary version
    assert sent["text"] == "Welcome to Acme."  # no phoneme block in ElevenLabs' text
    assert sent["pronunciation_dictionary_locators"] == [
        {"pronunciation_dictionary_id": "dict1", "version_id": "dict1-v1"}
    ]


def test_an_elevenlabs_render_fails_with_a_message_when_the_dictionary_is_refused(workspace, fake):
    fake.answer("/v1/pronunciation-dictionaries/add-from-rules", 401, {"detail": {"status": "invalid_api_key"}})
    save_pronunciation(workspace, written="Acme", spoken="Ack-mee")
    blocks = parse_text("Host: Welcome to Acme.")
    job = create_job(workspace=workspace, blocks=blocks, title="T", kind="audio", options=elevenlabs_options())
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED
    assert "the pronunciation dictionary could not be saved: ElevenLabs refused the API key (401)" in job.error
