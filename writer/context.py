"""The writer's configuration, from this deployment's settings: the one place mediakit's writer is configured
from Django (as `voices.engine_context` is for the speech engines)."""

from django.conf import settings

from mediakit.writer.providers import ProviderConfig, WriterContext


def writer_context() -> WriterContext:
    """Read at each use, so a changed setting (or a test's override) applies at once. A provider without a key
    is not offered."""
    common = {
        "timeout": settings.WRITER_TIMEOUT,
        "max_retries": settings.WRITER_MAX_RETRIES,
        "deadline": settings.WRITER_DEADLINE,
    }
    configured = [
        ProviderConfig(
            "openai", settings.OPENAI_API_KEY, settings.WRITER_OPENAI_MODEL, settings.OPENAI_BASE_URL, **common
        ),
        ProviderConfig(
            "anthropic",
            settings.ANTHROPIC_API_KEY,
            settings.WRITER_ANTHROPIC_MODEL,
            settings.ANTHROPIC_BASE_URL,
            **common,
        ),
    ]
    return WriterContext(
        providers=tuple(config for config in configured if config.api_key),
        max_output_tokens=settings.WRITER_MAX_OUTPUT_TOKENS,
    )
