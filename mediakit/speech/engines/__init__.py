"""The engine registry: adding an engine is one module under mediakit/speech/engines/ and one line here."""

import functools
from importlib import import_module

from mediakit.speech.engines.base import Engine, EngineError, Speech

ENGINES: dict[str, str] = {
    "piper": "mediakit.speech.engines.piper.PiperEngine",
    "elevenlabs": "mediakit.speech.engines.elevenlabs.ElevenLabsEngine",
}


@functools.cache
def get_engine(name: str) -> Engine:
    try:
        path = ENGINES[name]
    except KeyError:
        raise EngineError(f"unknown voice engine {name!r}; available: {', '.join(ENGINES)}") from None
    module, _, cls = path.rpartition(".")
    return getattr(import_module(module), cls)()


def available_engines() -> list[str]:
    """Engines a creator may pick now: those needing a key (ElevenLabs) only once it is set."""
    return [name for name in ENGINES if getattr(get_engine(name), "available", True)]


__all__ = ["ENGINES", "Engine", "EngineError", "Speech", "available_engines", "get_engine"]
