"""What the engines need from the deployment, handed to them as one frozen value (like paperless-ngx's
`ParserContext`): mediakit never reads Django settings or the environment. The Django side builds it
(`voices.engine_context`); the CLI benchmarks and tests build their own."""

from dataclasses import dataclass

from mediakit.speech.engines.elevenlabs.config import ElevenLabsConfig


@dataclass(frozen=True)
class EngineContext:
    elevenlabs: ElevenLabsConfig | None = None  # None: not configured, so not offered
