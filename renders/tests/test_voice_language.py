"""A script is said only by voices that speak its language: refused before anything is created or reserved."""

import pytest

from mediakit.text.script import parse_text
from renders.models import RenderJob
from renders.options import RenderOptions
from renders.services import VoiceLanguageRefused, create_job
from tests.factories import VoiceFactory

pytestmark = pytest.mark.django_db


def submit(owner, language: str, body: str = "Host: 안녕하세요.") -> RenderJob:
    workspace = owner.memberships.get().workspace
    return create_job(
        workspace=workspace, blocks=parse_text(body), title="T", kind=RenderJob.Kind.AUDIO,
        options=RenderOptions(language=language),
    )  # fmt: skip


@pytest.mark.parametrize(("language", "name"), [("ko", "Korean"), ("ja-JP", "Japanese")])
def test_a_builtin_english_voice_is_refused_for_korean_and_japanese(owner, language, name):
    with pytest.raises(VoiceLanguageRefused) as refused:
        submit(owner, language)
    message = str(refused.value)
    assert message.startswith("Host's voice “joe” (Piper (built in)) cannot speak " + name), message
    assert not RenderJob.objects.exists()


def test_a_library_voice_is_named_by_its_name(owner, settings):
    settings.ELEVENLABS_API_KEY = ""  # ElevenLabs unconfigured: nothing here speaks Korean
    VoiceFactory(workspace=owner.memberships.get().workspace, name="Host", engine="elevenlabs", engine_voice_id="v1")
    with pytest.raises(VoiceLanguageRefused, match="Host's voice “Host” \\(ElevenLabs\\) cannot speak Korean"):
        submit(owner, "ko")


def test_an_elevenlabs_voice_says_korean_once_a_key_is_set(owner, fake):
    VoiceFactory(workspace=owner.memberships.get().workspace, name="Host", engine="elevenlabs", engine_voice_id="v1")
    job = submit(owner, "ko")
    assert job.options["language"] == "ko" and job.options["voices"]["Host"]["engine"] == "elevenlabs"


def test_english_keeps_the_builtin_voices(owner):
    assert submit(owner, "en-US", "Host: Hello.").status == RenderJob.Status.QUEUED
