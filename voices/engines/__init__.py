"""The engine registry: adding an engine is one module under voices/engines/ and one line here."""

import functools
from importlib import import_module

from voices.engines.base import Engine, EngineError, Speech

ENGINES: dict[str, str] = {
    "piper": "voices.engines.piper.PiperEngine",
}


@functools.cache
def get_engine(name: str) -> Engine:
    try:
        path = ENGINES[name]
    except KeyError:
        raise EngineError(f"unknown voice engine {name!r}; available: {', '.join(ENGINES)}") from None
    module, _, cls = path.rpartition(".")
    return getattr(import_module(module), cls)()


__all__ = ["ENGINES", "Engine", "EngineError", "Speech", "get_engine"]
