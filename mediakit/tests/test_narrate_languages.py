"""A Japanese and a Korean script through the whole narration stage: ElevenLabs voices (the fake server speaking
with espeak-ng), the multilingual recogniser hearing every unit back, captions cut for the language."""

import io
import shutil
import subprocess
import wave

import numpy as np
import pytest

from mediakit.audio import resample
from mediakit.captions.cues import build_cues
from mediakit.pipeline.context import RenderContext
from mediakit.pipeline.stages import narrate
from mediakit.speech.engines import EngineContext
from mediakit.speech.engines.elevenlabs.config import ElevenLabsConfig
from mediakit.text.script import parse_text
from tests import fake_elevenlabs

ESPEAK = shutil.which("espeak-ng")
pytestmark = pytest.mark.skipif(
    ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng; .ci/run installs it)"
)


def espeak_pcm(voice: str):
    def speak(text: str) -> bytes:
        said = subprocess.run([ESPEAK, "-v", voice, "-s", "110", "--stdout", text], check=True, capture_output=True)
        with wave.open(io.BytesIO(said.stdout)) as audio:
            samples = np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2").astype(np.float32) / 32768
            rate = audio.getframerate()
        return (resample(samples, rate, 22050) * 32767).astype("<i2").tobytes()

    return speak


@pytest.fixture
def elevenlabs():
    servers = []

    def start(voice: str) -> tuple[fake_elevenlabs.FakeElevenLabs, EngineContext]:
        fake = fake_elevenlabs.FakeElevenLabs(speak=espeak_pcm(voice))
        servers.append(fake_elevenlabs.start(fake))
        config = ElevenLabsConfig(fake_elevenlabs.API_KEY, fake.url, "eleven_flash_v2", "pcm_22050", 10.0, 0)
        return fake, EngineContext(elevenlabs=config)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("language", "script"),
    [("ja", "Host: こんにちは。ありがとうございます。"), ("ko", "Host: 하나, 둘, 셋, 넷, 다섯")],
)
def test_a_script_is_narrated_heard_back_and_captioned_in_its_language(tmp_path, elevenlabs, language, script):
    fake, engines = elevenlabs(language)
    blocks = parse_text(script)
    ctx = RenderContext(
        blocks=blocks, voices={"Host": {"engine": "elevenlabs", "voice_id": "v1", "settings": {}}},
        workdir=tmp_path, video=False, language=language, engines=engines, max_error_rate=0.35,
    )  # fmt: skip
    narrate.run(ctx)
    sent = [request.json() for request in fake.requests]
    # The configured model speaks English only: the script went to the multilingual one.
    assert {body["model_id"] for body in sent} == {"eleven_multilingual_v2"}
    assert ctx.report["verified"] is True
    units = [unit for block in ctx.report["blocks"] for unit in block["units"]]
    assert all(unit["passed"] and unit["transcript"] for unit in units), units
    cues = build_cues(ctx.words, until=ctx.duration)
    assert "".join(line for cue in cues for line in cue.lines).replace(" ", "") == blocks[0].text.replace(" ", "")
