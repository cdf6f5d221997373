"""The state one render carries from stage to stage. Pure Python: the CLI and the worker both build one."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediakit.captions.ass import CaptionStyle
from mediakit.errors import RenderCancelled
from mediakit.speech.cache import SpeechCache
from mediakit.speech.engines.context import EngineContext
from mediakit.speech.words import TimedWord
from mediakit.text.lexicon import Lexicon
from mediakit.text.script import Block
from mediakit.video.storyboard import Brand, Storyboard
from mediakit.visuals import Visuals

if TYPE_CHECKING:
    from mediakit.visuals.prefetch import Prefetch

ASPECTS = {"9:16": (9, 16), "16:9": (16, 9), "1:1": (1, 1)}


@dataclass
class RenderContext:
    blocks: list[Block]
    voices: dict[str, dict[str, Any]]  # speaker -> {"engine", "voice_id", "settings"}
    workdir: Path
    video: bool = True
    aspect: str = "9:16"
    video_height: int = 1080
    language: str = "en"
    lexicon: Lexicon = field(default_factory=Lexicon)  # the workspace's pronunciations, frozen with the job
    # engine -> (dictionary id, version id) of the lexicon kept at its vendor (ElevenLabs), passed to synthesis
    dictionaries: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # Narration: verify each unit by ear, retry up to max_tries while its word error rate is too high.
    verify: bool = True
    max_tries: int = 3
    max_error_rate: float = 0.1
    short_unit_words: int = 3  # a unit of at most this many words may have no error at all
    must_hear: bool = True  # numbers, names, acronyms and pronunciations must be heard exactly
    workers: int = 2  # recogniser passes at once (synthesis concurrency is the engine's own)
    engines: EngineContext = field(default_factory=EngineContext)  # their configuration: Piper needs none
    speech_cache: SpeechCache | None = None
    regenerate_blocks: frozenset[int] = frozenset()  # blocks to synthesise afresh even when cached
    # Video look (compose); the storyboard stage fills `storyboard` unless an edited one is given.
    prepare_storyboard: bool = False  # audio jobs: also run the storyboard stage, for editing before the video
    storyboard: Storyboard | None = None
    brand: Brand = field(default_factory=Brand)
    look_cache: Path | None = None  # where generated motion looks are kept between renders (None: this render only)
    zoom: bool = False  # slow Ken Burns zoom on still scenes of a generated storyboard
    visuals: Visuals | None = None  # sources of footage and pictures for generated scenes (stage visuals)
    prefetch: "Prefetch | None" = None  # run_pipeline's searches and downloads while narration runs
    transition: str = "cut"  # or "crossfade" (0.4 s, centred on each scene change)
    frame_rate: int = 30
    constant_frame_rate: bool = False  # False: still stretches hold frames only where captions change
    burn_captions: bool = True  # False: no captions drawn (the caption files are still delivered)
    kinetic: bool = True  # a kinetic-typography card on each scene (video/kinetic.py)
    caption_style: CaptionStyle = field(default_factory=CaptionStyle)
    logo: Path | None = None  # PNG watermark
    watermark: bool = False  # "Made with OmniVibe" in a corner (plans like Free)
    logo_corner: str = "top-right"
    music: Path | None = None  # background music, looped and ducked under the voice
    music_gain_db: float = -16.0
    loudness_target: float = -14.0  # LUFS, integrated, of the final mix
    # Called with (stage, overall percent); the caller decides where progress goes.
    on_progress: Callable[[str, int], None] = lambda stage, percent: None
    is_cancelled: Callable[[], bool] = lambda: False

    # Filled in by the stages.
    words: list[TimedWord] = field(default_factory=list)
    duration: float = 0.0
    outputs: dict[str, Path] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)

    stage: str = ""
    percent_span: tuple[int, int] = (0, 100)  # the part of the whole job the current stage covers

    def progress(self, fraction: float) -> None:
        low, high = self.percent_span
        self.on_progress(self.stage, round(low + (high - low) * min(max(fraction, 0.0), 1.0)))

    def check_cancelled(self) -> None:
        if self.is_cancelled():
            raise RenderCancelled()

    @property
    def frame_size(self) -> tuple[int, int]:
        """(width, height) in even pixels, the short side being `video_height` for 16:9, else the width."""
        across, down = ASPECTS[self.aspect]
        if across >= down:  # landscape and square: height is the given size
            height = self.video_height
            width = height * across // down
        else:  # portrait: 1080p means 1080 wide
            width = self.video_height
            height = width * down // across
        return width - width % 2, height - height % 2
