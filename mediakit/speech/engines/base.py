"""What every TTS engine gives the pipeline."""

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np


@dataclass
class Speech:
    samples: np.ndarray  # mono float32 in [-1, 1]
    sample_rate: int
    # (word, start, end) from the engine's own alignment if it has one (else the transcript's are used)
    word_timings: list[tuple[str, float, float]] | None = field(default=None)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


class EngineError(RuntimeError):
    """The engine could not synthesise (bad settings, service down); the message is for the creator."""


class Engine(Protocol):
    name: str
    # How many syntheses to run at once: 1 for a local model that already uses every core, more for a
    # hosted service whose calls mostly wait on the network.
    concurrency: int

    def synthesize(self, text: str, voice_id: str, settings: dict[str, Any]) -> Speech: ...
