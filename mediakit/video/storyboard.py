"""Storyboard: the scenes of a video (background, title, keywords, timing), derived from the narration.

Pure Python, no Django. Stored as JSON and edited by creators, so `Storyboard.from_json` checks every
field and names the scene and field of the first problem it finds.
"""

import colorsys
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from mediakit.colors import HEX_COLOR
from mediakit.speech.words import TimedWord
from mediakit.text.punctuation import break_rank
from mediakit.text.script import Block
from mediakit.video.looks import NAMES as LOOK_NAMES

SCHEMA_VERSION = 1
MIN_SCENE = 2.0
MAX_SCENE = 8.0
TARGET_SCENE = 5.0
BACKGROUND_KINDS = ("color", "gradient", "image", "video", "motion")
LAYOUTS = ("captions-bottom", "captions-center")
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
STOPWORDS = frozenset(
    word
    for word in Path(__file__).with_name("stopwords.txt").read_text(encoding="utf-8").splitlines()
    if word and not word.startswith("#")
)


class StoryboardError(ValueError):
    """A storyboard (usually edited JSON) that cannot be rendered; the message names scene and field."""


@dataclass(frozen=True)
class Background:
    """What fills the frame behind the captions. `colors` for color (1), gradient and motion (2), `path` for
    image and video (a file the renderer can read; video clips are looped or trimmed to the scene), `look`
    for motion (a generated moving look of mediakit.video.looks, looped under the scene)."""

    kind: str = "color"
    colors: tuple[str, ...] = ("#1e293b",)
    path: str | None = None
    look: str | None = None


@dataclass(frozen=True)
class Brand:
    """A campaign's look: the storyboard's default backgrounds alternate between these."""

    primary: str = "#1e293b"
    secondary: str = "#7c3aed"
    gradient: bool = True
    motion: bool = True  # scenes move: a different generated look (video/looks.py) on each


@dataclass(frozen=True)
class Scene:
    start: float
    end: float
    block: int
    speaker: str
    background: Background = field(default_factory=Background)
    title: str | None = None
    keywords: tuple[str, ...] = ()
    layout: str = "captions-bottom"
    zoom: bool = False  # slow Ken Burns zoom over a still background
    ai_video: bool = False  # the editor asked for an AI clip here: made when the video renders, else this look

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Storyboard:
    duration: float
    scenes: tuple[Scene, ...]

    def to_json(self) -> str:
        scenes = [asdict(s) for s in self.scenes]
        for scene in scenes:
            if scene["background"]["look"] is None:  # only motion backgrounds have one
                del scene["background"]["look"]
            if not scene["ai_video"]:  # only scenes the editor marked
                del scene["ai_video"]
        return json.dumps({"version": SCHEMA_VERSION, "duration": self.duration, "scenes": scenes}, indent=1)

    @classmethod
    def from_json(cls, source: str | bytes | dict) -> "Storyboard":
        try:
            data = json.loads(source) if isinstance(source, str | bytes) else source
        except json.JSONDecodeError as error:
            raise StoryboardError(f"not valid JSON: {error}") from None
        return _parse(data)


# --- building ---------------------------------------------------------------------------------------------


def build_storyboard(
    blocks: Sequence[Block],
    words: Sequence[TimedWord],
    duration: float,
    *,
    brand: Brand = Brand(),
    zoom: bool = False,
) -> Storyboard:
    """One scene per block (long blocks split at sentence ends into 2-8 s scenes), contiguous over
    [0, duration]; a block's scenes start at its first word and run up to the next block's first word."""
    by_block: dict[int, list[TimedWord]] = {}
    for word in words:
        by_block.setdefault(word.block, []).append(word)
    spoken = [index for index in range(len(blocks)) if by_block.get(index)]
    if zoom:  # a zoom moves a still: the look of each scene is a still one
        brand = replace(brand, motion=False)
    if not spoken or duration <= 0:
        raise StoryboardError("no timed words to build scenes from")
    edges = [0.0, *(by_block[i][0].start for i in spoken[1:]), duration]
    scenes: list[Scene] = []
    for position, index in enumerate(spoken):
        start, end = edges[position], edges[position + 1]
        block_words = by_block[index]
        cuts = _split_times(block_words, start, end)
        for a, b in zip([start, *cuts], [*cuts, end], strict=True):
            inside = [w for w in block_words if a <= w.start < b] or block_words
            scenes.append(
                Scene(
                    start=round(a, 3),
                    end=round(b, 3),
                    block=index,
                    speaker=blocks[index].speaker,
                    background=brand_background(brand, len(scenes)),
                    keywords=tuple(extract_keywords([w.text for w in inside])),
                    zoom=zoom,
                )
            )
    # Rounding must not open gaps: each scene ends where the next begins, the last at `duration`.
    fixed = [replace(s, end=scenes[i + 1].start if i + 1 < len(scenes) else duration) for i, s in enumerate(scenes)]
    return Storyboard(duration=duration, scenes=tuple(fixed))


# Six looks from one brand, in turn: (hue turn, lightness step) applied to both brand colours, the
# gradient's direction flipped every other scene. Six stills cost little to render, and a short video
# never shows the same picture twice in a row (scenes six apart share a look).
BRAND_LOOKS = ((0.0, 0.0), (0.03, 0.07), (-0.03, -0.07), (0.06, 0.0), (-0.06, 0.04), (0.0, -0.04))


def brand_background(brand: Brand, index: int) -> Background:
    hue_turn, lightness_step = BRAND_LOOKS[index % len(BRAND_LOOKS)]
    first, second = (
        _shifted(colour, hue_turn, lightness_step)
        for colour in ((brand.primary, brand.secondary) if index % 2 == 0 else (brand.secondary, brand.primary))
    )
    if brand.motion:
        return Background(kind="motion", colors=(first, second), look=LOOK_NAMES[index % len(LOOK_NAMES)])
    if brand.gradient:
        return Background(kind="gradient", colors=(first, second))
    return Background(kind="color", colors=(first,))


def _shifted(colour: str, hue_turn: float, lightness_step: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    lightness = min(0.95, max(0.05, lightness + lightness_step))
    rgb = colorsys.hls_to_rgb((hue + hue_turn) % 1.0, lightness, saturation)
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in rgb)


def _split_times(words: list[TimedWord], start: float, end: float) -> list[float]:
    """Cut times splitting [start, end] into scenes of 2-8 s where possible, preferring sentence ends,
    then clause ends, then any word boundary; the best plan by dynamic programming over word gaps."""
    if end - start <= MAX_SCENE:
        return []
    # A cut between word k-1 and word k sits at word k's start (the pause stays with the sentence).
    candidates = [(w.start, break_rank(prev.text)) for prev, w in itertools.pairwise(words)]
    candidates = [(t, rank) for t, rank in candidates if start < t < end]
    points = [(start, 0), *candidates, (end, 0)]
    best: list[tuple[float, int]] = [(0.0, -1)] + [(math.inf, -1)] * (len(points) - 1)
    for j in range(1, len(points)):
        for i in range(j):
            length = points[j][0] - points[i][0]
            if length > MAX_SCENE * 3 and i < j - 1:
                continue  # far too long anyway; keeps the search near-linear for long blocks
            cost = best[i][0] + _scene_cost(length) + (points[j][1] * 4 if j < len(points) - 1 else 0)
            if cost < best[j][0]:
                best[j] = (cost, i)
    cuts, j = [], len(points) - 1
    while (j := best[j][1]) > 0:
        cuts.append(points[j][0])
    return sorted(cuts)


def _scene_cost(length: float) -> float:
    outside = max(0.0, MIN_SCENE - length) + max(0.0, length - MAX_SCENE)
    return 1000.0 * (1 + outside) * (outside > 0) + (length - TARGET_SCENE) ** 2 / 4


def extract_keywords(texts: Sequence[str], limit: int = 3) -> list[str]:
    """The scene's most telling words: stopwords dropped, ranked by count, then length, then first use."""
    tokens = [m.group().lower().replace("\u2019", "'") for text in texts for m in _WORD.finditer(text)]
    tokens = [t for t in tokens if len(t) >= 3 and t not in STOPWORDS and not t.isdigit()]
    counts = Counter(tokens)
    first = {t: i for i, t in reversed(list(enumerate(tokens)))}
    return sorted(counts, key=lambda t: (-counts[t], -len(t), first[t]))[:limit]


# --- editing ----------------------------------------------------------------------------------------------

Spoken = Sequence[tuple[str, float]]  # the narration's words as (text, start), in order


def split_scene(board: Storyboard, number: int, at: float, words: Spoken) -> Storyboard:
    """Scene `number` (from 1) cut in two where one of its words starts (never inside a word): both halves
    keep its look, each gets the keywords of its own words; the second has no title."""
    scene = _scene(board, number)
    if not scene.start < at < scene.end or not any(abs(start - at) < 1e-3 for _, start in words):
        raise StoryboardError(f"scene {number}: split where one of its words starts, after its first")
    at = round(at, 3)
    first = replace(scene, end=at, keywords=_keywords(words, scene.start, at, scene.keywords))
    second = replace(scene, start=at, title=None, keywords=_keywords(words, at, scene.end, scene.keywords))
    scenes = board.scenes
    return replace(board, scenes=(*scenes[: number - 1], first, second, *scenes[number:]))


def merge_scenes(board: Storyboard, number: int, words: Spoken) -> Storyboard:
    """Scene `number` and the next one as one scene, with the first one's look, block and speaker."""
    scene = _scene(board, number)
    if number == len(board.scenes):
        raise StoryboardError(f"scene {number}: the last scene has no next scene to merge with")
    after = board.scenes[number]
    merged = replace(scene, end=after.end, keywords=_keywords(words, scene.start, after.end, scene.keywords))
    return replace(board, scenes=(*board.scenes[: number - 1], merged, *board.scenes[number + 1 :]))


def _scene(board: Storyboard, number: int) -> Scene:
    if not 1 <= number <= len(board.scenes):
        raise StoryboardError(f"scene {number}: there is no such scene")
    return board.scenes[number - 1]


def _keywords(words: Spoken, start: float, end: float, fallback: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(extract_keywords([text for text, at in words if start - 1e-3 <= at < end - 1e-3])) or fallback


# --- strict parsing ---------------------------------------------------------------------------------------

_SCENE_FIELDS = {"start", "end", "block", "speaker", "background", "title", "keywords", "layout", "zoom", "ai_video"}
_BACKGROUND_FIELDS = {"kind", "colors", "path", "look"}


def _parse(data: Any) -> Storyboard:
    if not isinstance(data, dict):
        raise StoryboardError("the storyboard must be a JSON object")
    _no_unknown(data, {"version", "duration", "scenes"}, "storyboard")
    if data.get("version", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise StoryboardError(f"storyboard: version must be {SCHEMA_VERSION}")
    duration = _number(data.get("duration"), "storyboard: duration")
    if duration <= 0:
        raise StoryboardError("storyboard: duration must be positive")
    raw_scenes = data.get("scenes")
    if not isinstance(raw_scenes, list) or not raw_scenes:
        raise StoryboardError("storyboard: scenes must be a non-empty list")
    scenes = tuple(_parse_scene(raw, n) for n, raw in enumerate(raw_scenes, start=1))
    if abs(scenes[0].start) > 1e-6:
        raise StoryboardError("scene 1: start must be 0")
    for n, (before, after) in enumerate(itertools.pairwise(scenes), start=2):
        if abs(after.start - before.end) > 1e-6:
            raise StoryboardError(f"scene {n}: start must equal the end of scene {n - 1} ({before.end})")
    if abs(scenes[-1].end - duration) > 1e-6:
        raise StoryboardError(f"scene {len(scenes)}: end must equal the duration ({duration})")
    return Storyboard(duration=duration, scenes=scenes)


def _parse_scene(raw: Any, n: int) -> Scene:
    where = f"scene {n}"
    if not isinstance(raw, dict):
        raise StoryboardError(f"{where}: must be an object")
    _no_unknown(raw, _SCENE_FIELDS, where)
    start, end = _number(raw.get("start"), f"{where}: start"), _number(raw.get("end"), f"{where}: end")
    if not 0 <= start < end:
        raise StoryboardError(f"{where}: end must be after start, both from 0")
    block = raw.get("block", 0)
    if not isinstance(block, int) or isinstance(block, bool) or block < 0:
        raise StoryboardError(f"{where}: block must be a whole number from 0")
    speaker = raw.get("speaker", "")
    title = raw.get("title")
    if not isinstance(speaker, str):
        raise StoryboardError(f"{where}: speaker must be text")
    if title is not None and (not isinstance(title, str) or len(title) > 120):
        raise StoryboardError(f"{where}: title must be text of at most 120 characters, or null")
    keywords = raw.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise StoryboardError(f"{where}: keywords must be a list of text")
    layout = raw.get("layout", "captions-bottom")
    if layout not in LAYOUTS:
        raise StoryboardError(f"{where}: layout must be one of {', '.join(LAYOUTS)}")
    zoom, ai_video = raw.get("zoom", False), raw.get("ai_video", False)
    if not isinstance(zoom, bool):
        raise StoryboardError(f"{where}: zoom must be true or false")
    if not isinstance(ai_video, bool):
        raise StoryboardError(f"{where}: ai_video must be true or false")
    return Scene(
        start=start,
        end=end,
        block=block,
        speaker=speaker,
        background=_parse_background(raw.get("background"), f"{where}: background"),
        title=title or None,
        keywords=tuple(keywords),
        layout=layout,
        zoom=zoom,
        ai_video=ai_video,
    )


def _parse_background(raw: Any, where: str) -> Background:
    if not isinstance(raw, dict):
        raise StoryboardError(f"{where}: must be an object")
    _no_unknown(raw, _BACKGROUND_FIELDS, where)
    kind = raw.get("kind")
    if kind not in BACKGROUND_KINDS:
        raise StoryboardError(f"{where}.kind must be one of {', '.join(BACKGROUND_KINDS)}")
    colors = raw.get("colors") or []
    path = raw.get("path")
    if kind in ("color", "gradient", "motion"):
        wanted = 1 if kind == "color" else 2
        if not isinstance(colors, list) or len(colors) != wanted:
            raise StoryboardError(f"{where}.colors must hold {wanted} colour(s) for kind {kind}")
        for colour in colors:
            if not isinstance(colour, str) or not HEX_COLOR.fullmatch(colour):
                raise StoryboardError(f"{where}.colors: {colour!r} is not a #RRGGBB colour")
        if kind != "motion":
            return Background(kind=kind, colors=tuple(colors))
        look = raw.get("look")
        if look not in LOOK_NAMES:
            raise StoryboardError(f"{where}.look must be one of {', '.join(LOOK_NAMES)} for kind motion")
        return Background(kind=kind, colors=tuple(colors), look=look)
    if not isinstance(path, str) or not path.strip():
        raise StoryboardError(f"{where}.path is required for kind {kind}")
    return Background(kind=kind, colors=(), path=path)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StoryboardError(f"{where} must be a number")
    return float(value)


def _no_unknown(raw: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise StoryboardError(f"{where}: unknown field(s) {', '.join(unknown)}")
