"""What every TTS engine gives the pipeline, and what it describes about itself as plain data."""

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

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


@dataclass(frozen=True)
class SettingField:
    """One value a voice gives its engine, described for forms and checks: the Django side builds its fields
    and validates by looping over these, never by naming an engine."""

    name: str
    label: str
    help: str = ""
    kind: Literal["number", "choice", "text"] = "number"
    minimum: float | None = None
    maximum: float | None = None
    default: float | str | None = None  # None: the engine (or the voice stored at the vendor) decides
    choices: tuple[str, ...] = ()
    required: bool = False

    def check(self, value: Any) -> float:
        """The value as a number within the field's range; EngineError naming the field otherwise."""
        low, high = self.minimum, self.maximum
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise EngineError(f"{self.name} must be a number from {low} to {high}") from None
        if not low <= number <= high:
            raise EngineError(f"{self.name} must be from {low} to {high}, not {number:g}")
        return number


def limits(fields: tuple[SettingField, ...]) -> dict[str, tuple[float, float]]:
    """{name: (minimum, maximum)} of the number fields."""
    return {f.name: (f.minimum, f.maximum) for f in fields if f.kind == "number"}


@runtime_checkable
class Engine(Protocol):
    name: str
    label: str  # what creators see in the engine list
    # How many syntheses to run at once: 1 for a local model that already uses every core, more for a
    # hosted service whose calls mostly wait on the network.
    concurrency: int
    available: bool  # False until configured (a hosted engine without its key): not offered to creators
    voice: SettingField  # what `voice_id` is for this engine (a preset to choose, a vendor's id to type)
    settings: tuple[SettingField, ...]
    # A voice without a voice id is cloned from its uploaded sample. Such an engine also has
    # clone_voice(name, sample, filename) -> voice id, is_stock_voice(voice_id) and delete_voice(voice_id).
    clones_from_sample: bool
    # Whether the text may carry a pronunciation's phonemes as a `[[ ... ]]` block (mediakit/text/lexicon.py).
    inline_phonemes: bool

    def speaks(self, language: str) -> bool:
        """Whether the engine (as configured) can say a script in `language` (a tag: "ko", "ja-JP")."""

    def synthesize(
        self,
        text: str,
        voice_id: str,
        settings: dict[str, Any],
        language: str = "en",
        dictionaries: tuple[tuple[str, str], ...] = (),
    ) -> Speech:
        """`language`: the script's, already checked with `speaks`. `dictionaries`: (id, version) of
        pronunciation dictionaries kept at the vendor, for engines that have them; others say their
        pronunciations from the text."""

    def check_settings(self, voice_id: str, settings: dict[str, Any]) -> None:
        """Raises EngineError naming the first value the engine would refuse."""

    def effective_settings(self, voice_id: str, settings: dict[str, Any]) -> dict[str, Any]:
        """The values synthesis uses, by field name: the voice's own settings over what its voice (a preset)
        sets; a value neither sets is left out (the engine or the vendor decides)."""

    def retry_settings(self, voice_id: str, settings: dict[str, Any], attempt: int) -> dict[str, Any]:
        """Settings for retry `attempt` (1, 2, ...) of a line heard wrong."""
