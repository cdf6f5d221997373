"""Finished narration units (synthesised, and heard back when the job verifies), kept so re-renders only
synthesise what changed.

Any object with Django's Storage methods (`exists`, `open`, `save`, `delete`, `path`) can hold the cache, and
mediakit stays free of Django: the workers pass the default storage, so with a bucket configured every worker
and web machine shares one cache (entries are written whole: a reader never sees half of one); the CLI passes a
local folder. A missing entry raises FileNotFoundError from `open`, as Django's storages do.

Each cache counts its hits and misses and remembers every entry it read or wrote (`use`): the caller records them
where the size limit and the statistics live (the workers: renders/caches.py), once the work is done.
"""

import hashlib
import io
import json
import logging
import os
import threading
import zipfile
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from mediakit.speech.align import HeardWord

logger = logging.getLogger(__name__)

# Bump when normalisation, synthesis or verification change what a cached unit would contain.
CACHE_VERSION = 4  # 4: must-hear words and short-unit budgets (mediakit/speech/judge.py)


@dataclass
class UnitAudio:
    samples: np.ndarray  # float32 mono at the narration's sample rate, loudness-matched
    heard: list[HeardWord]  # word timings on the unit's own clock (engine alignment or transcript)
    transcript: str
    score: float
    tries: int
    spoken_text: str  # what was finally sent to the engine (a retry may normalise differently)
    verified: bool  # heard back and scored; unverified units carry score 0 without having earned it
    # must-hear words the recogniser did not hear: [as written, what it heard in their place]
    missed: list[list[str]] = field(default_factory=list)


@dataclass
class CacheUse:
    """What one piece of work did with the cache: hits, misses, and the entries it read or wrote (name → bytes)."""

    hits: int = 0
    misses: int = 0
    used: dict[str, int] = field(default_factory=dict)


class Storage(Protocol):
    def exists(self, name: str) -> bool: ...
    def open(self, name: str, mode: str = "rb") -> Any: ...
    def save(self, name: str, content: Any) -> str: ...
    def delete(self, name: str) -> None: ...
    def path(self, name: str) -> str: ...  # local storages only; others raise NotImplementedError


def unit_key(engine: str, voice_id: str, settings: dict, language: str, text: str, respelled: str = "") -> str:
    """The unit's identity; `respelled` is its spoken text when a pronunciation changed it, so a changed entry
    never reuses audio said the old way (units no entry touches keep their keys)."""
    identity = [CACHE_VERSION, engine, voice_id, settings, language, text] + ([respelled] if respelled else [])
    identity = json.dumps(identity, sort_keys=True)
    return hashlib.sha256(identity.encode()).hexdigest()


class SpeechCache:
    def __init__(self, storage: Storage, prefix: str):
        self.storage, self.prefix = storage, prefix.rstrip("/")
        self.use = CacheUse()
        self._lock = threading.Lock()  # narrate loads and saves units from several threads

    def _count(self, name: str, size: int | None) -> None:
        with self._lock:
            if size is None:
                self.use.misses += 1
            else:
                self.use.hits += 1
                self.use.used[name] = size

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{key[:2]}/{key}.npz"

    def load(self, key: str) -> UnitAudio | None:
        """The cached unit, or None when there is none or it cannot be read (it is then made again)."""
        name = self._name(key)
        try:
            handle = self.storage.open(name, "rb")  # no separate exists(): one round trip less to a bucket
        except FileNotFoundError:
            self._count(name, None)
            return None
        try:
            with handle:
                data = handle.read()
            archive = np.load(io.BytesIO(data), allow_pickle=False)
            meta = json.loads(str(archive["meta"]))
            samples = archive["samples"]
            meta["heard"] = [HeardWord(**word) for word in meta["heard"]]
            unit = UnitAudio(samples=samples, **meta)
        except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile):  # truncated or garbage
            logger.warning("speech cache entry %s is unreadable; synthesising it again", name, exc_info=True)
            self._count(name, None)
            return None
        self._count(name, len(data))
        return unit

    def save(self, key: str, unit: UnitAudio) -> None:
        meta = {field: value for field, value in asdict(unit).items() if field != "samples"}
        buffer = io.BytesIO()
        np.savez(buffer, samples=unit.samples.astype(np.float32), meta=np.array(json.dumps(meta)))
        size = buffer.tell()
        buffer.seek(0)
        name = self._name(key)
        with self._lock:
            self.use.used[name] = size
        try:
            final = self.storage.path(name)
        except NotImplementedError:
            # Object stores (S3 and the like) write an object whole: a reader never sees half of one.
            if self.storage.exists(name):  # a regenerated unit replaces the old one
                self.storage.delete(name)
            self.storage.save(name, buffer)  # Django's storages wrap any file object
            return
        # A local folder: write aside, then replace in one step, so a crash never leaves half an entry.
        part = self.storage.save(f"{name}.part", buffer)  # the storage picks a free name if another worker writes
        os.replace(self.storage.path(part), final)
