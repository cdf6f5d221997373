"""ElevenLabs through its official SDK: the account's voices, speech with word timings, instant cloning.

Enabled by ELEVENLABS_API_KEY. Every SDK or network failure becomes an EngineError a creator can act on;
messages never quote the SDK's own error text, which carries response headers.
"""

import base64
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import httpx
import numpy as np
from django.conf import settings as django_settings
from elevenlabs import ElevenLabs, VoiceSettings
from elevenlabs.core.api_error import ApiError

from voices.engines.base import EngineError, Speech
from voices.samples import SampleError, decode_audio

NOT_CONFIGURED = "ElevenLabs is not configured: set ELEVENLABS_API_KEY"
LIMITS = {"stability": (0.0, 1.0), "similarity": (0.0, 1.0), "style": (0.0, 1.0)}


@dataclass(frozen=True)
class EngineVoice:
    voice_id: str
    name: str


class ElevenLabsEngine:
    name = "elevenlabs"
    concurrency = 4  # requests wait on the network

    @property
    def available(self) -> bool:
        return bool(django_settings.ELEVENLABS_API_KEY)

    def list_voices(self) -> list[EngineVoice]:
        with _mapped_errors():
            response = self._client().voices.get_all(request_options=self._request_options())
        return [EngineVoice(voice.voice_id, voice.name or voice.voice_id) for voice in response.voices]

    def synthesize(self, text: str, voice_id: str, settings: dict[str, Any]) -> Speech:
        client = self._client()
        if not voice_id:
            raise EngineError("choose an ElevenLabs voice id for this voice")
        options = resolve_settings(settings)
        output_format = django_settings.ELEVENLABS_OUTPUT_FORMAT
        # Without settings of our own, the voice's settings stored at ElevenLabs apply.
        extra = {"voice_settings": VoiceSettings(**options)} if options else {}
        with _mapped_errors(voice_id):
            response = client.text_to_speech.convert_with_timestamps(
                voice_id,
                text=text,
                model_id=django_settings.ELEVENLABS_MODEL_ID,
                output_format=output_format,
                request_options=self._request_options(),
                **extra,
            )
        try:
            audio = base64.b64decode(response.audio_base_64, validate=True)
        except ValueError:
            raise EngineError("ElevenLabs sent back audio we could not read; try again") from None
        samples, rate = _decode(audio, output_format)
        if len(samples) == 0:
            raise EngineError("ElevenLabs sent back no audio for this text; try again")
        alignment = response.alignment
        timings = (
            words_from_alignment(
                alignment.characters,
                alignment.character_start_times_seconds,
                alignment.character_end_times_seconds,
            )
            if alignment
            else None
        )
        return Speech(samples=samples, sample_rate=rate, word_timings=timings)

    def clone_voice(self, name: str, sample: BinaryIO, filename: str) -> str:
        """Instant voice cloning from a sample already checked by `validate_sample`; returns the new voice id."""
        with _mapped_errors():
            response = self._client().voices.ivc.create(
                name=name, files=[(filename, sample)], request_options=self._request_options()
            )
        return response.voice_id

    def is_stock_voice(self, voice_id: str) -> bool:
        """Whether the voice is one of ElevenLabs' own (premade) voices, which every account may use."""
        with _mapped_errors(voice_id):
            voice = self._client().voices.get(voice_id, request_options=self._request_options())
        return voice.category == "premade"

    def delete_voice(self, voice_id: str) -> None:
        """Delete a clone at ElevenLabs; one already gone there is fine."""
        with _mapped_errors(voice_id):
            try:
                self._client().voices.delete(voice_id, request_options=self._request_options())
            except ApiError as error:
                if error.status_code != 404:
                    raise

    def _client(self) -> ElevenLabs:
        # Built per call from settings: cheap, and a changed key or base URL takes effect at once.
        if not self.available:
            raise EngineError(NOT_CONFIGURED)
        return ElevenLabs(
            api_key=django_settings.ELEVENLABS_API_KEY,
            base_url=django_settings.ELEVENLABS_BASE_URL,
            timeout=django_settings.ELEVENLABS_TIMEOUT,
        )

    def _request_options(self) -> dict[str, Any]:
        return {"max_retries": django_settings.ELEVENLABS_MAX_RETRIES}


def resolve_settings(options: dict[str, Any]) -> dict[str, float]:
    """Our setting names to the SDK's VoiceSettings; missing ones keep the voice's stored settings."""
    resolved = {}
    for name, (low, high) in LIMITS.items():
        if options.get(name) is None:
            continue
        try:
            value = float(options[name])
        except (TypeError, ValueError):
            raise EngineError(f"{name} must be a number from {low} to {high}") from None
        if not low <= value <= high:
            raise EngineError(f"{name} must be from {low} to {high}, not {value:g}")
        resolved["similarity_boost" if name == "similarity" else name] = value
    return resolved


def words_from_alignment(
    characters: list[str], starts: list[float], ends: list[float]
) -> list[tuple[str, float, float]] | None:
    """Character timings to word timings: a word is a run of non-space characters, from its first
    character's start to its last character's end. Mismatched lists mean no alignment, not a guess."""
    if not len(characters) == len(starts) == len(ends):
        return None
    words: list[tuple[str, float, float]] = []
    current, start, end = "", 0.0, 0.0
    for char, char_start, char_end in zip(characters, starts, ends, strict=True):
        if char.isspace():
            if current:
                words.append((current, start, end))
            current = ""
            continue
        if not current:
            start = char_start
        current += char
        end = max(end, char_end)
    if current:
        words.append((current, start, end))
    return [(word, round(start, 3), round(end, 3)) for word, start, end in words]


def _decode(audio: bytes, output_format: str) -> tuple[np.ndarray, int]:
    if output_format.startswith("pcm_"):
        # Raw little-endian 16-bit mono at the rate named in the format.
        pcm = np.frombuffer(audio[: len(audio) // 2 * 2], dtype="<i2")
        return (pcm.astype(np.float32) / 32768.0), int(output_format.split("_")[1])
    try:
        decoded = decode_audio(audio)
    except SampleError:
        raise EngineError("ElevenLabs sent back audio we could not read; try again") from None
    return np.clip(decoded.samples, -1.0, 1.0), decoded.sample_rate


@contextlib.contextmanager
def _mapped_errors(voice_id: str = "") -> Iterator[None]:
    try:
        yield
    except ApiError as error:
        raise EngineError(_message_for(error.status_code, voice_id)) from None
    except httpx.TimeoutException:
        raise EngineError("ElevenLabs did not answer in time; try again in a minute") from None
    except httpx.HTTPError:
        raise EngineError("Could not reach ElevenLabs; check the connection and try again") from None


def _message_for(status: int | None, voice_id: str) -> str:
    if status == 401:
        return "ElevenLabs refused the API key (401): ask your administrator to check ELEVENLABS_API_KEY"
    if status == 403:
        return "The ElevenLabs account may not use this voice or feature (403); check its plan"
    if status == 404:
        return f"ElevenLabs has no voice {voice_id!r} in this account" if voice_id else "ElevenLabs: not found (404)"
    if status == 429:
        return "ElevenLabs is rate-limiting this account or its quota is used up (429); try again later"
    if status is not None and status >= 500:
        return f"ElevenLabs is having trouble (HTTP {status}); try again in a few minutes"
    return f"ElevenLabs could not do this (HTTP {status}); check the text and the voice settings"
