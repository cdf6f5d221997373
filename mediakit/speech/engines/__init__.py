"""The engine registry: adding an engine is one package under mediakit/speech/engines/ and one line here.

Each engine describes itself as data (`label`, `voice`, `settings`: see base.SettingField), so forms,
validation and the API loop over the registry instead of naming engines.
"""

import functools
from importlib import import_module
from typing import Any

from mediakit.speech.engines.base import Engine, EngineError, SettingField, Speech
from mediakit.speech.engines.context import EngineContext

ENGINES: dict[str, str] = {
    "piper": "mediakit.speech.engines.piper.engine.PiperEngine",
    "elevenlabs": "mediakit.speech.engines.elevenlabs.engine.ElevenLabsEngine",
}


@functools.cache
def get_engine(name: str, context: EngineContext) -> Engine:
    try:
        path = ENGINES[name]
    except KeyError:
        raise EngineError(f"unknown voice engine {name!r}; available: {', '.join(ENGINES)}") from None
    module, _, cls = path.rpartition(".")
    return getattr(import_module(module), cls)(context)


def available_engines(context: EngineContext) -> list[str]:
    """Engines a creator may pick now: those needing configuration (ElevenLabs' key) only once it is given."""
    return [name for name in ENGINES if get_engine(name, context).available]


def check_settings(name: str, voice_id: str, settings: Any, context: EngineContext) -> None:
    """Raises EngineError naming the first problem: not an object, a name the engine does not know, a bad value.

    A name the engine would ignore is refused, so nobody believes a setting applies when it does not. An
    engine this installation does not have is left to `get_engine` to refuse when it is used.
    """
    if not isinstance(settings, dict):
        raise EngineError("settings must be a JSON object")
    if name not in ENGINES:
        return
    engine = get_engine(name, context)
    names = [field.name for field in engine.settings]
    if unknown := sorted(set(settings) - set(names)):
        raise EngineError(f"{name} has no setting {unknown[0]!r}; use {', '.join(names)}")
    engine.check_settings(voice_id, settings)


def known_settings(name: str, settings: dict[str, Any], context: EngineContext) -> dict[str, Any]:
    """Settings without the names the engine does not know (it would ignore them anyway)."""
    if name not in ENGINES:
        return settings
    names = {field.name for field in get_engine(name, context).settings}
    return {key: value for key, value in settings.items() if key in names}


__all__ = [
    "ENGINES",
    "Engine",
    "EngineContext",
    "EngineError",
    "SettingField",
    "Speech",
    "available_engines",
    "check_settings",
    "get_engine",
    "known_settings",
]
