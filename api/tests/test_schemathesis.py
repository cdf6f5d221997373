"""Property-based requests (schemathesis) against a live server: never a 5xx.

Our OpenAPI schema covers /api/v1; the drop-in /v1 endpoints follow the vendors' documentation and are left
out of it, so they get a schema of their own here (COMPAT_SCHEMA), with the signed download link beside them.
(`/v1/text-to-speech/{voice_id}/stream` is the same view as `/v1/text-to-speech/{voice_id}`: left out to save time.)
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.keys import create_key
from mediakit.speech.engines.piper.settings import PRESETS
from tests.factories import api_workspace

pytestmark = pytest.mark.django_db(transaction=True)

ERRORS = {str(status): {"description": "error"} for status in (400, 401, 402, 403, 404, 409, 413, 415, 429)}
VOICE_ID = {"name": "voice_id", "in": "path", "required": True, "schema": {"type": "string", "example": "joe"}}
# Inputs are kept short so that each generated request that is valid synthesises in a moment with Piper.
TEXT_TO_SPEECH = {
    "parameters": [
        VOICE_ID,
        {"name": "output_format", "in": "query", "schema": {"type": "string", "example": "mp3_44100_128"}},
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {
                        "text": {"type": "string", "maxLength": 20, "example": "Hello there."},
                        "model_id": {"type": "string"},
                        "voice_settings": {
                            "type": "object",
                            "nullable": True,
                            "properties": {
                                "stability": {"type": "number", "nullable": True},
                                "similarity_boost": {"type": "number", "nullable": True},
                                "style": {"type": "number", "nullable": True},
                                "use_speaker_boost": {"type": "boolean", "nullable": True},
                                "speed": {"type": "number", "nullable": True},
                            },
                        },
                    },
                }
            }
        },
    },
    "responses": {"200": {"description": "audio"}, **ERRORS},
}
COMPAT_SCHEMA = {
    "openapi": "3.0.3",
    "info": {"title": "OmniVibe drop-in endpoints", "version": "1"},
    "paths": {
        "/v1/audio/speech": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["model", "input", "voice"],
                                "properties": {
                                    "model": {"type": "string", "example": "tts-1"},
                                    "input": {"type": "string", "maxLength": 20, "example": "Hello there."},
                                    "voice": {"type": "string", "enum": [*PRESETS, "alloy", "1"]},
                                    "response_format": {
                                        "type": "string",
                                        "enum": ["mp3", "opus", "aac", "flac", "wav", "pcm"],
                                    },
                                    "speed": {"type": "number"},
                                    "instructions": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "audio"}, **ERRORS},
            }
        },
        "/v1/voices": {"get": {"responses": {"200": {"description": "voices"}, **ERRORS}}},
        "/v1/voices/{voice_id}": {
            "get": {"parameters": [VOICE_ID], "responses": {"200": {"description": "a voice"}, **ERRORS}}
        },
        "/v1/text-to-speech/{voice_id}": {"post": TEXT_TO_SPEECH},
        "/v1/text-to-speech/{voice_id}/with-timestamps": {"post": TEXT_TO_SPEECH},
        "/api/v1/files/{token}": {
            "get": {
                "parameters": [{"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}],
                "security": [],
                "responses": {"200": {"description": "a file"}, **ERRORS},
            }
        },
    },
}


def schemathesis(schema: str, base_url: str, key: str, cwd: Path, *, max_examples: int) -> None:
    st = Path(sys.executable).with_name("st")
    command = [
        str(st), "run", schema, "--url", base_url, "--header", f"Authorization: Bearer {key}",
        "--checks", "not_a_server_error", "--max-examples", str(max_examples), "--seed", "1",
        "--generation-deterministic", "--phases", "examples,coverage,fuzzing", "--request-timeout", "60", "--no-color",
    ]  # fmt: skip
    # A bound against a run that hangs, not a speed target: on a busy 2-core machine a full run takes minutes.
    result = subprocess.run(command, capture_output=True, text=True, timeout=480, cwd=cwd)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_generated_request_gets_a_server_error(live_server, owner, monkeypatch, tmp_path):
    # Jobs are queued but not run: this is about request handling, not the render pipeline.
    monkeypatch.setattr("lanes.async_task", lambda *args, **kwargs: None)
    key = create_key(api_workspace(owner), name="fuzz")[1]
    schemathesis(f"{live_server.url}/api/schema/", live_server.url, key, tmp_path, max_examples=15)


def test_no_generated_request_to_the_drop_in_endpoints_gets_a_server_error(live_server, owner, settings, tmp_path):
    settings.RENDER_VERIFY = False  # real Piper speech, not heard back: this is about request handling
    key = create_key(api_workspace(owner), name="fuzz")[1]
    schema = tmp_path / "compat.json"
    schema.write_text(json.dumps(COMPAT_SCHEMA))
    schemathesis(str(schema), live_server.url, key, tmp_path, max_examples=5)
