"""Drop-in endpoints under /v1/: OpenAI's audio.speech and ElevenLabs' voices and text-to-speech.

Same API keys (Bearer, or `xi-api-key` as the ElevenLabs SDK sends), throttling, errors and metering as /api/v1.
They follow the vendors' documentation, so they are left out of our OpenAPI schema.
"""

import base64

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import speech
from api.auth import workspace_of
from voices.models import Voice
from voices.services import named_voices


class AnyAccept(DefaultContentNegotiation):
    """Audio clients send Accept headers like audio/mpeg: answer them anyway (errors are JSON)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class CompatView(APIView):
    content_negotiation_class = AnyAccept


class SpeechRequest(serializers.Serializer):
    model = serializers.CharField(max_length=100)
    input = serializers.CharField(max_length=4096, trim_whitespace=True)
    voice = serializers.CharField(max_length=120)
    response_format = serializers.ChoiceField(choices=list(speech.OPENAI_FORMATS), default="mp3")
    speed = serializers.FloatField(min_value=0.25, max_value=4.0, default=1.0)
    instructions = serializers.CharField(required=False, allow_blank=True, max_length=4096)  # accepted, not used


@extend_schema(exclude=True)
class OpenAISpeechView(CompatView):
    def post(self, request: Request) -> HttpResponse:
        data = _valid(SpeechRequest, request.data)
        workspace = workspace_of(request)
        spec = speech.voice_spec(workspace, data["voice"], speed=data["speed"])
        result = speech.synthesize(
            workspace,
            data["input"][: settings.API_SPEECH_MAX_CHARS],
            spec,
            speech.OPENAI_FORMATS[data["response_format"]],
            title=f"Speech: {data['input'][:60]}",
        )
        return HttpResponse(result.audio, content_type=result.content_type)


def _unit_interval() -> serializers.FloatField:
    return serializers.FloatField(required=False, allow_null=True, min_value=0.0, max_value=1.0)


class VoiceSettingsRequest(serializers.Serializer):
    """ElevenLabs' voice_settings: stability, similarity_boost and style apply to ElevenLabs voices, speed to all."""

    stability = _unit_interval()
    similarity_boost = _unit_interval()
    style = _unit_interval()
    use_speaker_boost = serializers.BooleanField(required=False, allow_null=True)  # accepted, not used
    speed = serializers.FloatField(required=False, allow_null=True, min_value=0.5, max_value=2.0)


class TextToSpeechRequest(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    model_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    voice_settings = VoiceSettingsRequest(required=False, allow_null=True)


def _valid(serializer_class: type[serializers.Serializer], data: object) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _eleven_voice(voice: Voice | None, named: str = "", engine: str = "") -> dict:
    """A library voice, or a voice an engine offers by name (a Piper preset) as one of ElevenLabs' premade ones."""
    if voice is None:
        return {"voice_id": named, "name": named, "category": "premade", "labels": {"engine": engine}}
    return {
        "voice_id": str(voice.pk),
        "name": voice.name,
        "category": "cloned" if voice.sample else "generated",
        "labels": {"engine": voice.engine, "language": voice.language},
        "description": f"{voice.engine} voice",
        "preview_url": None,
    }


@extend_schema(exclude=True)
class ElevenVoicesView(CompatView):
    def get(self, request: Request) -> Response:
        library = [_eleven_voice(voice) for voice in Voice.objects.filter(workspace=workspace_of(request))]
        offered = [_eleven_voice(None, name, engine.name) for name, engine in named_voices().items()]
        return Response({"voices": library + offered})


@extend_schema(exclude=True)
class ElevenVoiceView(CompatView):
    def get(self, request: Request, voice_id: str) -> Response:
        spec = speech.find_voice(workspace_of(request), voice_id)
        voice = Voice.objects.filter(pk=spec.get("voice_pk")).first() if spec.get("voice_pk") else None
        return Response(_eleven_voice(voice, voice_id, spec["engine"]))


@extend_schema(exclude=True)
class ElevenTextToSpeechView(CompatView):
    with_timestamps = False

    def post(self, request: Request, voice_id: str) -> HttpResponse:
        data = _valid(TextToSpeechRequest, request.data)
        workspace = workspace_of(request)
        encoding = speech.elevenlabs_encoding(request.query_params.get("output_format", "mp3_44100_128"))
        # Settings sent as null keep the voice's own, as at ElevenLabs.
        given = {name: value for name, value in (data.get("voice_settings") or {}).items() if value is not None}
        text = data["text"].strip()[: settings.API_SPEECH_MAX_CHARS]
        spec = speech.voice_spec(workspace, voice_id, speed=given.get("speed", 1.0), voice_settings=given)
        result = speech.synthesize(workspace, text, spec, encoding, title=f"Speech: {text[:60]}")
        if not self.with_timestamps:
            return HttpResponse(result.audio, content_type=result.content_type)
        alignment = speech.character_alignment(text, result.words, result.duration)
        return Response(
            {
                "audio_base64": base64.b64encode(result.audio).decode(),
                "alignment": alignment,
                "normalized_alignment": alignment,
            }
        )
