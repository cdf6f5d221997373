"""The video's plan: the timeline cut at scene boundaries into pieces, each encoded as its own small MP4.

Cost follows what changes on screen. Every piece gets identical x264 settings, so the concat demuxer joins
them with stream copy:
- a still piece (colour, gradient or image background, no zoom) holds only the frames where the caption
  changes: its background PNG is rendered once, repeated by the concat demuxer with exact durations,
  and libass draws each caption state once (variable frame rate, every timestamp on the frame grid);
- a moving piece (zoom, video clip, crossfade) renders every frame, captions included; a piece over a
  generated motion look draws the look's own MOTION_FPS frames plus the frames where captions change
  (variable frame rate unless constant_frame_rate): a third of the frames of 30 fps, captions on time.
Pieces are independent, so two encode at once (one per core), while the audio is mixed and normalised.
The ffmpeg commands are in commands.py, the soundtrack's in mix.py, titles and watermark in overlays.py.
"""

from dataclasses import dataclass
from pathlib import Path

from mediakit.video.storyboard import Scene, Storyboard


@dataclass(frozen=True)
class Piece:
    """Frames [first, last) of the video, from one scene, or two for a crossfade between them."""

    first: int
    last: int
    scenes: tuple[int, ...]
    moving: bool

    @property
    def frames(self) -> int:
        return self.last - self.first


@dataclass(frozen=True)
class VideoOptions:
    width: int
    height: int
    fps: int = 30
    transition: str = "cut"  # or "crossfade"
    transition_frames: int = 12
    constant_frame_rate: bool = False  # duplicate still frames up to `fps` (bigger encode, some players want it)
    logo: Path | None = None
    logo_corner: str = "top-right"


def frame_edges(storyboard: Storyboard, fps: int) -> list[int]:
    """Scene boundaries on the frame grid; every scene keeps at least one frame."""
    edges = [0]
    for scene in storyboard.scenes[:-1]:
        edges.append(max(round(scene.end * fps), edges[-1] + 1))
    total = max(round(storyboard.duration * fps), edges[-1] + 1)
    return [*edges, total]


def is_moving(scene: Scene) -> bool:
    return scene.background.kind in ("video", "motion") or scene.zoom


def plan_pieces(storyboard: Storyboard, options: VideoOptions) -> list[Piece]:
    """Scenes as pieces; with crossfades, each boundary becomes a short moving piece of its own."""
    edges = frame_edges(storyboard, options.fps)
    count = len(storyboard.scenes)
    if options.transition != "crossfade" or count == 1:
        return [Piece(edges[i], edges[i + 1], (i,), is_moving(storyboard.scenes[i])) for i in range(count)]
    # The fade is centred on the cut, but never takes more than half of either scene.
    half = [
        min(options.transition_frames // 2, (edges[i + 1] - edges[i]) // 2, (edges[i + 2] - edges[i + 1]) // 2)
        for i in range(count - 1)
    ]
    pieces, start = [], 0
    for i in range(count):
        end = edges[i + 1] - (half[i] if i < count - 1 else 0)
        if end > start:
            pieces.append(Piece(start, end, (i,), is_moving(storyboard.scenes[i])))
        if i < count - 1:
            fade_end = edges[i + 1] + half[i]
            if fade_end > end:
                pieces.append(Piece(end, fade_end, (i, i + 1), True))
            start = fade_end
    return pieces


def first_frames(pieces: list[Piece]) -> dict[int, int]:
    """Each scene's first frame on screen. A crossfade shows the next scene before its start, so the
    scene's moving background (clip time, zoom) starts there; counting from the scene's own start would
    replay the faded-in part once the fade ends."""
    firsts: dict[int, int] = {}
    for piece in pieces:
        for index in piece.scenes:
            firsts.setdefault(index, piece.first)
    return firsts
