"""The drop-in endpoints, driven by the vendors' own SDKs against a live server."""

import base64
import io

import av
import elevenlabs
import httpx
import openai
import pytest

from api.keys import create_key
from billing.models import UsageEntry
from tests.factories import api_workspace, workspace_of
from voices.models import Voice

# Stored files: .ci/run runs these on a bucket too.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.storage]


@pytest.fixture
def key(owner) -> str:
    return create_key(api_workspace(owner), name="sdk")[1]


@pytest.fixture
def http():
    # One request per connection: the live server's request threads end (and close their database
    # connection) while the test still shares it, not after the test database is gone.
    with httpx.Client(headers={"Connection": "close"}, timeout=60) as client:
        yield client


def decoded_seconds(data: bytes, format: str | None = None) -> float:
    with av.open(io.BytesIO(data), format=format) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return samples / stream.codec_context.sample_rate


@pytest.mark.parametrize("response_format", ["mp3", "wav", "opus", "flac"])
def test_openai_sdk_speech(live_server, http, key, response_format):
    client = openai.OpenAI(api_key=key, base_url=f"{live_server.url}/v1", http_client=http)
    audio = client.audio.speech.create(
        model="tts-1", voice="joe", input="Hello there.", response_format=response_format
    )
    assert decoded_seconds(audio.content) > 0.3
    assert UsageEntry.objects.count() == 1


def test_openai_sdk_uses_library_voices_and_pcm(live_server, http, key, owner):
    Voice.objects.create(workspace=workspace_of(owner), name="Narrator", engine_voice_id="joe-calm")
    client = openai.OpenAI(api_key=key, base_url=f"{live_server.url}/v1", http_client=http)
    audio = client.audio.speech.create(model="tts-1", voice="narrator", input="Hi.", response_format="pcm", speed=1.2)
    assert len(audio.content) > 24000 * 2 * 0.2 and len(audio.content) % 2 == 0  # raw 16-bit 24 kHz


def test_openai_sdk_errors(live_server, http, key):
    client = openai.OpenAI(api_key=key, base_url=f"{live_server.url}/v1", max_retries=0, http_client=http)
    with pytest.raises(openai.NotFoundError) as missing:
        client.audio.speech.create(model="tts-1", voice="alloy-unknown", input="Hi.")
    assert missing.value.body["code"] == "voice_not_found"  # the SDK unwraps {"error": {...}}
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(
            api_key="ov_wrong", base_url=f"{live_server.url}/v1", max_retries=0, http_client=http
        ).audio.speech.create(model="tts-1", voice="joe", input="Hi.")


def test_elevenlabs_sdk_voices(live_server, http, key, owner):
    voice = Voice.objects.create(workspace=workspace_of(owner), name="Narrator", engine_voice_id="joe-calm")
    client = elevenlabs.ElevenLabs(api_key=key, base_url=live_server.url, httpx_client=http)
    listed = client.voices.get_all().voices
    assert {"Narrator", "joe", "joe-deep"} <= {v.name for v in listed}
    assert client.voices.get(str(voice.pk)).name == "Narrator"
    with pytest.raises(elevenlabs.core.ApiError) as missing:
        client.voices.get("nobody")
    assert missing.value.status_code == 404


def test_elevenlabs_sdk_text_to_speech(live_server, http, key):
    client = elevenlabs.ElevenLabs(api_key=key, base_url=live_server.url, httpx_client=http)
    audio = b"".join(client.text_to_speech.convert("joe", text="Good morning.", output_format="mp3_44100_128"))
    assert decoded_seconds(audio) > 0.3
    pcm = b"".join(client.text_to_speech.convert("joe-deep", text="Good morning.", output_format="pcm_16000"))
    assert len(pcm) > 16000 * 2 * 0.3


def test_elevenlabs_sdk_with_timestamps_line_up_with_the_audio(live_server, http, key):
    client = elevenlabs.ElevenLabs(api_key=key, base_url=live_server.url, httpx_client=http)
    text = "Captions need timing. Every character gets one."
    result = client.text_to_speech.convert_with_timestamps("joe", text=text, output_format="mp3_44100_128")
    duration = decoded_seconds(base64.b64decode(result.audio_base_64))
    alignment = result.alignment
    assert "".join(alignment.characters) == text
    starts, ends = alignment.character_start_times_seconds, alignment.character_end_times_seconds
    assert len(starts) == len(ends) == len(text)
    assert all(a <= b for a, b in zip(starts, ends, strict=True)) and starts == sorted(starts)
    assert starts[0] < 0.2 and abs(ends[-1] - duration) < 0.15  # mp3 adds a few ms of padding


def test_the_text_to_speech_endpoint_refuses_bad_formats(live_server, http, key):
    response = http.post(
        f"{live_server.url}/v1/text-to-speech/joe?output_format=mp9_1",
        json={"text": "Hi."},
        headers={"xi-api-key": key},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"
