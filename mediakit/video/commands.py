"""The ffmpeg commands of the video renderer: pure functions, no processes run here (see pieces.py for
the plan they carry out)."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mediakit.video.looks import MOTION_FPS
from mediakit.video.pieces import Piece, VideoOptions
from mediakit.video.storyboard import Background, Scene

ZOOM_AMOUNT = 0.08  # the frame grows 8 % over a zoomed scene: visible motion, no blur from upscaling
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

# Pieces over a motion look: a cheaper search (the look moves softly, there is little to find) and weaker
# adaptive quantisation (at full strength it spends most bits on the looks' flat gradients: a 10 s piece
# 2.0 MB against 0.9 MB, visibly the same). Encoder-side choices only: the stream's headers stay those of
# every other piece, so the join still copies.
LOOK_X264 = ["-x264-params", "me=dia:subme=1:trellis=0:aq-strength=0.5"]

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
    own_rate: bool = False  # its frames are kept as they come (a motion look at MOTION_FPS), not made 30 fps


def moving_source(
    scene: Scene,
    still: Path | None,
    offset: float,
    length: float,
    options: VideoOptions,
    clip_length: float,
    keep: Sequence[int] = (),
) -> Source:
    """`length` seconds of a scene's background from `offset` seconds into the scene, every frame.
    `still` is the scene's PNG, or for a motion look its cached loop; `keep` lists frames (from the piece's
    start) drawn besides the look's own, where captions change, so they change on time."""
    w, h, fps = options.width, options.height, options.fps
    if scene.background.kind == "motion":
        # The cached loop is already frame-sized; keep its own rate unless every frame must be stored.
        start = offset % clip_length if clip_length > 0 else 0.0
        inputs = ["-stream_loop", "-1", "-ss", f"{start:.3f}", "-t", f"{length:.6f}", "-i", str(still)]
        if options.constant_frame_rate:
            return Source(inputs, f"setsar=1,fps={fps},format=yuv420p")
        # On the video's frame grid, keep every look frame and the caption changes; drop the rest before
        # libass and x264 see them (the frames are repeats of the look's, so nothing moves less).
        step = max(1, fps // MOTION_FPS)
        wanted = "+".join([f"not(mod(n,{step}))", *(f"eq(n,{k})" for k in sorted(set(keep)) if k % step)])
        # Never a frame at or past the piece's end (fps may add one there): the next piece starts on it.
        wanted = f"({wanted})*lt(n,{round(length * fps)})"
        return Source(inputs, f"setsar=1,fps={fps},select='{wanted}',format=yuv420p", own_rate=True)
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
            # A crossfade mixes two sources frame by frame: both at the video's rate.
            graph = [g.replace(",setpts=", f",fps={fps},setpts=") for g in graph]
            graph.append(f"[s0][s1]xfade=transition=fade:duration={piece.frames / fps:.6f}:offset=0[bg]")
        else:
            graph.append("[s0]null[bg]")
        next_input = len(sources)
    last = "bg"
    if ass is not None:
        # libass reads the frame's timestamp: shift it onto the video's clock and back, by whole ticks (a
        # fractional shift rounds each frame its own way and moves frames of a variable-rate piece).
        graph.append(
            f"[{last}]setpts=PTS+round({offset:.6f}/TB),ass={filter_path(ass)}:fontsdir={filter_path(fonts)},"
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
    own_rate = len(sources) == 1 and sources[0].own_rate
    moving = still_list is None and not own_rate
    rate = ["-fps_mode", "cfr", "-r", str(fps)] if (options.constant_frame_rate or moving) else []
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
        *(LOOK_X264 if own_rate else []),
        # No B-frames: decode order is presentation order, so every packet's dts equals its pts and the
        # joined file's timestamps rise at the joins (B-frames start a piece at a negative dts and shorten
        # its MP4 duration, which pulled every later cut earlier).
        "-bf",
        "0",
        "-enc_time_base",
        f"1/{fps}",
        "-video_track_timescale",
        str(fps * 1000),
        "-an",
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


def pieces_concat_list(paths: list[Path], pieces: list[Piece], fps: int) -> str:
    """The join's list, each piece with its planned length: the next piece starts exactly where the
    storyboard puts it, whatever duration the piece's MP4 header reports."""
    lines = ["ffconcat version 1.0"]
    for path, piece in zip(paths, pieces, strict=True):
        quoted = str(path).replace("'", "'\\''")
        lines += [f"file '{quoted}'", f"duration {piece.frames / fps:.9f}"]
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
