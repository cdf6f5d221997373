"""The engines' configuration, from this deployment's settings: the one place mediakit's engines are
configured from Django."""

from django.conf import settings

from mediakit.speech.engines import EngineContext
from mediakit.speech.engines.elevenlabs.config import ElevenLabsConfig


def engine_context() -> EngineContext:
    """Read at each use, so a changed setting (or a test's override) applies at once."""
    return EngineContext(
        elevenlabs=ElevenLabsConfig(
            api_key=settings.ELEVENLABS_API_KEY,
            base_url=settings.ELEVENLABS_BASE_URL,
            model_id=settings.ELEVENLABS_MODEL_ID,
            output_format=settings.ELEVENLABS_OUTPUT_FORMAT,
            timeout=settings.ELEVENLABS_TIMEOUT,
            max_retries=settings.ELEVENLABS_MAX_RETRIES,
        )
    )
