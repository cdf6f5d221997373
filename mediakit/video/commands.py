"""The video renderer's plan and ffmpeg commands: pure functions, no processes run here.

Cost follows what changes on screen. The timeline is cut at scene boundaries into pieces, each encoded
as its own small MP4 with identical x264 settings, then joined by the concat demuxer with stream copy:
- a still piece (colour, gradient or image background, no zoom) holds only the frames where the caption
  changes: its background PNG is rendered once, repeated by the concat demuxer with exact durations,
  and libass draws each caption state once (variable frame rate, every timestamp on the frame grid);
- a moving piece (zoom, video clip, crossfade) renders every frame, captions included.
Pieces are independent, so two encode at once (one per core), while the audio is mixed and normalised.
"""

import json
import math
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from mediakit.captions.cues import AVERAGE_CHARACTER_WIDTH, ass_escape
from mediakit.video.storyboard import Background, Scene, Storyboard

ZOOM_AMOUNT = 0.08  # the frame grows 8 % over a zoomed scene: visible motion, no blur from upscaling
# Scene titles, as fractions of the frame's short side (size) and of its width (margins).
TITLE_SIZE = 0.065
TITLE_MIN_SIZE = 0.035
TITLE_MAX_LINES = 3
TITLE_MARGIN_SIDES = 0.05
LOGO_WIDTH = 0.14  # of the frame width
LOGO_MARGIN = 0.03
LOGO_CORNERS = {
    "top-left": ("{m}", "{m}"),
    "top-right": ("W-w-{m}", "{m}"),
    "bottom-left": ("{m}", "H-h-{m}"),
    "bottom-right": ("W-w-{m}", "H-h-{m}"),
}
X264 = [
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-tune",
    "stillimage",
    "-profile:v",
    "high",
    "-pix_fmt",
    "yuv420p",
    "-crf",
    "21",
]


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
    return scene.background.kind == "video" or scene.zoom


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


# --- captions: change times -------------------------------------------------------------------------------

_DIALOGUE_TIMES = re.compile(r"^Dialogue: [^,]*,(\d+):(\d\d):(\d\d)\.(\d\d),(\d+):(\d\d):(\d\d)\.(\d\d),", re.M)


def caption_change_frames(ass: str, fps: int) -> list[int]:
    """Frames at which the burned-in text changes: the first frame at or after each event edge."""
    frames = set()
    for match in _DIALOGUE_TIMES.finditer(ass):
        h1, m1, s1, c1, h2, m2, s2, c2 = (int(g) for g in match.groups())
        for centis in (((h1 * 60 + m1) * 60 + s1) * 100 + c1, ((h2 * 60 + m2) * 60 + s2) * 100 + c2):
            frames.add(math.ceil(centis * fps / 100 - 1e-9))
    return sorted(frames)


def title_events(storyboard: Storyboard, width: int, height: int) -> list[str]:
    """Scene titles as top-centred ASS events on the captions' Default style, wrapped to the frame."""
    events = []
    for scene in storyboard.scenes:
        if scene.title:
            size, lines = _title_layout(scene.title, width, min(width, height))
            text = "\\N".join(ass_escape(line) for line in lines)
            events.append(
                f"Dialogue: 1,{_ass_time(scene.start)},{_ass_time(scene.end)},Default,,0,0,0,,"
                f"{{\\an8\\fs{size}\\pos({width // 2},{round(height * 0.08)})}}{text}"
            )
    return events


def _title_layout(title: str, width: int, short_side: int) -> tuple[int, list[str]]:
    """Font size and lines for a title: sized from the short side (so portrait frames fit), smaller
    while it would take more than TITLE_MAX_LINES lines. The ASS style never wraps (WrapStyle 2)."""
    size, smallest = max(1, round(short_side * TITLE_SIZE)), max(1, math.ceil(short_side * TITLE_MIN_SIZE))
    while True:
        per_line = max(1, int(width * (1 - 2 * TITLE_MARGIN_SIDES) / (size * AVERAGE_CHARACTER_WIDTH)))
        lines = textwrap.wrap(title, per_line)
        if len(lines) <= TITLE_MAX_LINES or size <= smallest:
            return size, lines
        size = max(round(size * 0.9), smallest)


WATERMARK_TEXT = "Made with OmniVibe"


def watermark_event(duration: float, width: int, height: int) -> str:
    """The plan watermark: small, half-transparent, top-left, for the whole video."""
    size, margin = round(min(width, height) * 0.032), round(min(width, height) * 0.03)
    return (
        f"Dialogue: 2,{_ass_time(0)},{_ass_time(duration)},Default,,0,0,0,,"
        f"{{\\an7\\fs{size}\\bord1\\1a&H60&\\3a&H80&\\pos({margin},{margin})}}{WATERMARK_TEXT}"
    )


def _ass_time(seconds: float) -> str:
    centis = round(seconds * 100)
    return f"{centis // 360000}:{centis // 6000 % 60:02d}:{centis // 100 % 60:02d}.{centis % 100:02d}"


# --- commands ---------------------------------------------------------------------------------------------


def background_still_args(background: Background, width: int, height: int, out: Path) -> list[str]:
    """One PNG of a colour, gradient or image background at the frame size (images fill and crop)."""
    size = f"{width}x{height}"
    if background.kind == "color":
        source = ["-f", "lavfi", "-i", f"color=c=0x{background.colors[0][1:]}:s={size}"]
        chain = "format=rgb24"
    elif background.kind == "gradient":
        first, second = (c[1:] for c in background.colors)
        # A diagonal from the top-left corner to the bottom-right one.
        source = [
            "-f",
            "lavfi",
            "-i",
            f"gradients=s={size}:c0=0x{first}:c1=0x{second}:x0=0:y0=0:x1={width}:y1={height}:n=2",
        ]
        chain = "format=rgb24"
    elif background.kind == "image":
        source = ["-i", str(background.path)]
        chain = f"{_fill(width, height)},format=rgb24"
    else:
        raise ValueError(f"a {background.kind} background has no still")
    return [*source, "-vf", chain, "-frames:v", "1", "-update", "1", str(out)]


def _fill(width: int, height: int) -> str:
    # Scale to cover the frame, crop the overflow centred: no bars, no distortion.
    return f"scale={width}:{height}:force_original_aspect_ratio=increase:flags=bicubic,crop={width}:{height},setsar=1"


def still_concat_list(still: Path, piece: Piece, change_frames: list[int], fps: int, constant_frame_rate: bool) -> str:
    """A concat-demuxer list showing `still` once per caption state inside the piece, exact durations.

    The last state is split so the piece's final frame sits one frame before its end: the MP4 then
    lasts exactly `piece.frames` frames, which keeps joined pieces and the audio in step.
    """
    inner = [f for f in change_frames if piece.first < f < piece.last]
    if constant_frame_rate:
        inner = []  # the encoder fills every frame anyway
    starts = [piece.first, *inner]
    if piece.last - 1 > starts[-1]:
        starts.append(piece.last - 1)
    ends = [*starts[1:], piece.last]
    quoted = str(still).replace("'", "'\\''")
    lines = ["ffconcat version 1.0"]
    for start, end in zip(starts, ends, strict=True):
        lines += [f"file '{quoted}'", f"duration {(end - start) / fps:.9f}"]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Source:
    """A scene background as ffmpeg input arguments and the filter turning it into frame-size video."""

    inputs: list[str]
    chain: str


def moving_source(
    scene: Scene, still: Path | None, offset: float, length: float, options: VideoOptions, clip_length: float
) -> Source:
    """`length` seconds of a scene's background from `offset` seconds into the scene, every frame."""
    w, h, fps = options.width, options.height, options.fps
    if scene.background.kind == "video":
        # Loop the clip (from where this part of the scene falls in it) and cut it to length.
        start = offset % clip_length if clip_length > 0 else 0.0
        inputs = ["-stream_loop", "-1", "-ss", f"{start:.3f}", "-t", f"{length:.6f}", "-i", str(scene.background.path)]
        chain = f"{_fill(w, h)},fps={fps},format=yuv420p"
        return Source(inputs, chain)
    assert still is not None
    inputs = ["-loop", "1", "-framerate", str(fps), "-t", f"{length:.6f}", "-i", str(still)]
    if not scene.zoom:
        return Source(inputs, "format=yuv420p")
    # Ken Burns: grow the frame from 100 % to 100+ZOOM_AMOUNT % over the scene, cropped at the centre.
    grow = f"(1+{ZOOM_AMOUNT}*(t+{offset:.6f})/{max(scene.duration, 1e-3):.6f})"
    chain = (
        f"scale=w='trunc({w}*{grow}/2)*2':h='trunc({h}*{grow}/2)*2':eval=frame:flags=bilinear,"
        f"crop={w}:{h},setsar=1,format=yuv420p"
    )
    return Source(inputs, chain)


def piece_args(
    piece: Piece,
    sources: list[Source],
    *,
    ass: Path | None,
    fonts: Path,
    options: VideoOptions,
    out: Path,
    still_list: Path | None = None,
) -> list[str]:
    """The ffmpeg arguments encoding one piece to an MP4 (video only).

    A still piece reads `still_list` (see still_concat_list); a moving piece reads one source, or two
    that are crossfaded. Captions are drawn at the piece's place on the whole video's clock.
    """
    fps = options.fps
    offset = piece.first / fps
    if still_list is not None:
        inputs = ["-f", "concat", "-safe", "0", "-i", str(still_list)]
        graph = ["[0:v]format=yuv420p[bg]"]
        next_input = 1
    else:
        inputs = [arg for source in sources for arg in source.inputs]
        graph = [f"[{i}:v]{source.chain},setpts=PTS-STARTPTS[s{i}]" for i, source in enumerate(sources)]
        if len(sources) == 2:
            graph.append(f"[s0][s1]xfade=transition=fade:duration={piece.frames / fps:.6f}:offset=0[bg]")
        else:
            graph.append("[s0]null[bg]")
        next_input = len(sources)
    last = "bg"
    if ass is not None:
        # libass reads the frame's timestamp: shift it onto the video's clock and back.
        graph.append(
            f"[{last}]setpts=PTS+{offset:.6f}/TB,ass={filter_path(ass)}:fontsdir={filter_path(fonts)},"
            f"setpts=PTS-STARTPTS[cap]"
        )
        last = "cap"
    if options.logo is not None:
        x, y = (part.format(m=round(LOGO_MARGIN * options.width)) for part in LOGO_CORNERS[options.logo_corner])
        inputs += ["-i", str(options.logo)]
        graph.append(f"[{next_input}:v]scale={round(LOGO_WIDTH * options.width)}:-1,format=rgba[logo]")
        graph.append(f"[{last}][logo]overlay={x}:{y}:format=auto[logoed]")
        last = "logoed"
    graph.append(f"[{last}]format=yuv420p[v]")
    rate = ["-fps_mode", "cfr", "-r", str(fps)] if (options.constant_frame_rate or still_list is None) else []
    return [
        *inputs,
        "-filter_complex",
        ";".join(graph),
        "-map",
        "[v]",
        *rate,
        *([] if rate else ["-fps_mode", "passthrough"]),
        "-frames:v",
        str(piece.frames),
        *X264,
        "-enc_time_base",
        f"1/{fps}",
        "-video_track_timescale",
        str(fps * 1000),
        "-an",
        str(out),
    ]


def audio_mix_args(narration: Path, music: Path | None, music_gain_db: float, out: Path) -> list[str]:
    """Narration, with the music looped under it and ducked whenever the voice speaks, to a WAV."""
    if music is None:
        return ["-i", str(narration), "-ac", "2", "-ar", "48000", "-c:a", "pcm_s16le", str(out)]
    graph = (
        "[0:a]aresample=48000,aformat=channel_layouts=stereo,asplit=2[voice][key];"
        f"[1:a]aresample=48000,aformat=channel_layouts=stereo,volume={music_gain_db}dB[bed];"
        # The voice keys a compressor on the music: the bed dips under speech and comes back in pauses.
        "[bed][key]sidechaincompress=threshold=0.03:ratio=8:attack=30:release=450[ducked];"
        "[voice][ducked]amix=inputs=2:duration=first:normalize=0[mix]"
    )
    return [
        "-i",
        str(narration),
        "-stream_loop",
        "-1",
        "-i",
        str(music),
        "-filter_complex",
        graph,
        "-map",
        "[mix]",
        "-c:a",
        "pcm_s16le",
        str(out),
    ]


def loudness_measure_args(mix: Path, target: float) -> list[str]:
    return ["-i", str(mix), "-af", f"loudnorm=I={target}:TP=-1.5:LRA=11:print_format=json", "-f", "null", "-"]


def _measured_in_range(measured: dict[str, str]) -> bool:
    try:
        values = {name: float(measured[name]) for name in _MEASURED_RANGES}
    except (KeyError, ValueError):
        return False
    return all(low <= values[name] <= high for name, (low, high) in _MEASURED_RANGES.items())


def parse_loudnorm(log: str) -> dict[str, str]:
    """The JSON block loudnorm prints at the end of its first pass."""
    start = log.rfind("{")
    end = log.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no loudnorm measurement in ffmpeg's output")
    return json.loads(log[start : end + 1])


# What loudnorm accepts for each measured value of its second pass.
_MEASURED_RANGES = {
    "input_i": (-99, 0),
    "input_tp": (-99, 99),
    "input_lra": (0, 99),
    "input_thresh": (-99, 0),
    "target_offset": (-99, 99),
}


def audio_encode_args(mix: Path, target: float, measured: dict[str, str], duration: float, out: Path) -> list[str]:
    """Second loudnorm pass in linear mode (one gain for the whole file: no pumping) to AAC.

    Audio too short to measure (under loudnorm's 400 ms gating blocks: "Hi.") reports values the second
    pass refuses; such audio gets loudnorm's one-pass mode instead.
    """
    loudnorm = f"loudnorm=I={target}:TP=-1.5:LRA=11"
    if _measured_in_range(measured):
        loudnorm += (
            f":measured_I={measured['input_i']}:measured_TP={measured['input_tp']}"
            f":measured_LRA={measured['input_lra']}:measured_thresh={measured['input_thresh']}"
            f":offset={measured['target_offset']}:linear=true"
        )
    return [
        "-i",
        str(mix),
        "-af",
        f"{loudnorm},aresample=48000",
        "-t",
        f"{duration:.6f}",
        "-c:a",
        "aac",
        "-b:a",
        "160k",
        str(out),
    ]


def join_args(piece_list: Path, audio: Path, out: Path) -> list[str]:
    return [
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        str(piece_list),
        "-i",
        str(audio),
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-c",
        "copy",
        "-movflags",
        "+faststart",
        str(out),
    ]


def pieces_concat_list(paths: list[Path]) -> str:
    lines = ["ffconcat version 1.0"]
    for path in paths:
        quoted = str(path).replace("'", "'\\''")
        lines.append(f"file '{quoted}'")
    return "\n".join(lines) + "\n"


def thumbnail_args(video: Path, at: float, out: Path) -> list[str]:
    return ["-ss", f"{at:.3f}", "-i", str(video), "-frames:v", "1", "-q:v", "3", "-update", "1", str(out)]


def filter_path(path: object) -> str:
    """A path as a filter option value inside a filtergraph, safe whatever characters it holds.

    Two parsers read it: the filtergraph parser first (\\ ' [ ] , ; are special), then the filter's
    option parser (\\ ' :). Escape for the option parser, then single-quote for the graph parser.
    """
    value = str(path).replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\:")
    return "'" + value.replace("'", "'\\''") + "'"
