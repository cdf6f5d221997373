"""A render says the dictionary's respellings and captions the written words (the real Piper voice and the
real recogniser); the job keeps the dictionary it was created with."""

import pytest

from mediakit.speech.engines.piper.engine import PiperEngine
from mediakit.text.script import parse_text
from renders.models import RenderJob
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
        PiperEngine, "synthesize", lambda self, text, *args: texts.append(text) or speak(self, text, *args)
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
