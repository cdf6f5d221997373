"""ElevenLabs through its official SDK: the account's voices, speech with word timings, instant cloning, and
pronunciation dictionaries (our entries as its alias and IPA phoneme rules, passed to synthesis as locators).

Offered once the EngineContext carries its configuration with an API key. Every SDK or network failure
becomes an EngineError a creator can act on; messages never quote the SDK's own error text, which carries
response headers.
"""

import base64
import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import httpx
import numpy as np
from elevenlabs import ElevenLabs, PronunciationDictionaryVersionLocator, VoiceSettings
from elevenlabs.core.api_error import ApiError
from elevenlabs.pronunciation_dictionaries import (
    BodyAddAPronunciationDictionaryV1PronunciationDictionariesAddFromRulesPostRulesItem_Alias as NewAlias,
)
from elevenlabs.pronunciation_dictionaries import (
    BodyAddAPronunciationDictionaryV1PronunciationDictionariesAddFromRulesPostRulesItem_Phoneme as NewPhoneme,
)
from elevenlabs.pronunciation_dictionaries import (
    BodySetRulesOnThePronunciationDictionaryV1PronunciationDictionariesPronunciationDictionaryIdSetRulesPostRulesItem_Alias as SetAlias,  # noqa: E501
)
from elevenlabs.pronunciation_dictionaries import (
    BodySetRulesOnThePronunciationDictionaryV1PronunciationDictionariesPronunciationDictionaryIdSetRulesPostRulesItem_Phoneme as SetPhoneme,  # noqa: E501
)

from mediakit.speech.engines.base import EngineError, Speech
from mediakit.speech.engines.context import EngineContext
from mediakit.speech.engines.elevenlabs.alignment import words_from_alignment
from mediakit.speech.engines.elevenlabs.settings import SETTINGS, VOICE, resolve_settings
from mediakit.speech.samples import SampleError, decode_audio
from mediakit.text.lexicon import is_phonemes, phonemes_of
from mediakit.text.normalize import language_code

NOT_CONFIGURED = "ElevenLabs is not configured: set ELEVENLABS_API_KEY"
# Models that read a dictionary's phoneme rules; the others silently skip such a word, so they get no phoneme
# rules and say the word as written (https://elevenlabs.io/docs: "Using pronunciation dictionaries").
PHONEME_MODELS = frozenset({"eleven_flash_v2", "eleven_turbo_v2", "eleven_monolingual_v1"})
# The models that speak English only; a script in another language is sent to the multilingual model instead.
ENGLISH_ONLY_MODELS = PHONEME_MODELS
MULTILINGUAL_MODEL = "eleven_multilingual_v2"
# What eleven_multilingual_v2 speaks (https://elevenlabs.io/docs: "Models"), as language codes.
MULTILINGUAL_LANGUAGES = frozenset({
    "en", "ja", "zh", "de", "hi", "fr", "ko", "pt", "it", "es", "id", "nl", "tr", "fil", "pl", "sv", "bg", "ro",
    "ar", "cs", "el", "fi", "hr", "ms", "sk", "da", "ta", "uk", "ru",
})  # fmt: skip
MAX_DICTIONARIES = 3  # locators a synthesis request may carry

DictionaryLocator = tuple[str, str]  # (pronunciation dictionary id, version id)


@dataclass(frozen=True)
class EngineVoice:
    voice_id: str
    name: str


class ElevenLabsEngine:
    name = "elevenlabs"
    label = "ElevenLabs"
    concurrency = 4  # requests wait on the network
    voice = VOICE
    settings = SETTINGS
    clones_from_sample = True
    inline_phonemes = False  # its phoneme rules live in a pronunciation dictionary

    def __init__(self, context: EngineContext):
        self.config = context.elevenlabs

    @property
    def available(self) -> bool:
        return self.config is not None and bool(self.config.api_key)

    def speaks(self, language: str) -> bool:
        return self.available and language_code(language) in MULTILINGUAL_LANGUAGES

    def model_for(self, language: str) -> str:
        """The configured model, unless it speaks English only and the script is in another language."""
        assert self.config is not None
        model = self.config.model_id
        if language_code(language) != "en" and model in ENGLISH_ONLY_MODELS:
            return MULTILINGUAL_MODEL
        return model

    def list_voices(self) -> list[EngineVoice]:
        with _mapped_errors():
            response = self._client().voices.get_all(request_options=self._request_options())
        return [EngineVoice(voice.voice_id, voice.name or voice.voice_id) for voice in response.voices]

    def dictionary_rules(self, entries: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
        """ElevenLabs rules for (written, said) entries, as plain data: a respelling is an alias rule, phonemes
        an IPA phoneme rule when the configured model reads them (else left out). Whole words, any case, as ours."""
        if self.config is None:
            raise EngineError(NOT_CONFIGURED)
        rules: list[dict[str, Any]] = []
        for written, said in entries:
            common = {"string_to_replace": written, "case_sensitive": False, "word_boundaries": True}
            if not is_phonemes(said):
                rules.append({"type": "alias", **common, "alias": said})
            elif self.config.model_id in PHONEME_MODELS:
                rules.append({"type": "phoneme", **common, "phoneme": phonemes_of(said), "alphabet": "ipa"})
        return rules

    def save_dictionary(self, name: str, rules: list[dict[str, Any]], dictionary_id: str = "") -> DictionaryLocator:
        """The dictionary `dictionary_id` given these rules (a new version), or a new one when there is none
        (or it was deleted at ElevenLabs); returns where its new version is."""
        client, options = self._client(), self._request_options()
        with _mapped_errors():
            if dictionary_id:
                try:
                    saved = client.pronunciation_dictionaries.rules.set(
                        dictionary_id, rules=_typed(rules, SetAlias, SetPhoneme), request_options=options
                    )
                    return saved.id, saved.version_id
                except ApiError as error:
                    if error.status_code != 404:
                        raise
            created = client.pronunciation_dictionaries.create_from_rules(
                rules=_typed(rules, NewAlias, NewPhoneme), name=name, request_options=options
            )
        return created.id, created.version_id

    def archive_dictionary(self, dictionary_id: str) -> None:
        """Archive a dictionary at ElevenLabs (its API deletes none); one already gone there is fine."""
        with _mapped_errors():
            try:
                self._client().pronunciation_dictionaries.update(
                    dictionary_id, archived=True, request_options=self._request_options()
                )
            except ApiError as error:
                if error.status_code != 404:
                    raise

    def synthesize(
        self,
        text: str,
        voice_id: str,
        settings: dict[str, Any],
        language: str = "en",
        dictionaries: tuple[DictionaryLocator, ...] = (),
    ) -> Speech:
        client = self._client()
        assert self.config is not None  # _client refuses an unconfigured engine
        if not voice_id:
            raise EngineError("choose an ElevenLabs voice id for this voice")
        options = resolve_settings(settings)
        output_format = self.config.output_format
        # Without settings of our own, the voice's settings stored at ElevenLabs apply.
        extra: dict[str, Any] = {"voice_settings": VoiceSettings(**options)} if options else {}
        if dictionaries:
            extra["pronunciation_dictionary_locators"] = [
                PronunciationDictionaryVersionLocator(pronunciation_dictionary_id=found, version_id=version)
                for found, version in dictionaries[:MAX_DICTIONARIES]
            ]
        with _mapped_errors(voice_id):
            response = client.text_to_speech.convert_with_timestamps(
                voice_id,
                text=text,
                model_id=self.model_for(language),
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

    def check_settings(self, voice_id: str, settings: dict[str, Any]) -> None:
        resolve_settings(settings)

    def effective_settings(self, voice_id: str, settings: dict[str, Any]) -> dict[str, Any]:
        return {
            field.name: field.check(settings[field.name]) for field in SETTINGS if settings.get(field.name) is not None
        }

    def retry_settings(self, voice_id: str, settings: dict[str, Any], attempt: int) -> dict[str, Any]:
        return settings  # a retry is another draw with the same settings

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
        # Built per call: cheap, and it keeps no connection state between jobs.
        if self.config is None or not self.config.api_key:
            raise EngineError(NOT_CONFIGURED)
        return ElevenLabs(api_key=self.config.api_key, base_url=self.config.base_url, timeout=self.config.timeout)

    def _request_options(self) -> dict[str, Any]:
        assert self.config is not None
        return {"max_retries": self.config.max_retries}


def _typed(rules: list[dict[str, Any]], alias: type, phoneme: type) -> list[Any]:
    """The SDK's rule models (each endpoint has its own classes of the same shape)."""
    return [alias(**rule) if rule["type"] == "alias" else phoneme(**rule) for rule in rules]


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
