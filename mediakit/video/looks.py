"""Motion looks: moving backgrounds made from two brand colours, with nothing to download or pay for.

Each look is a short clip that loops without a seam (every motion is a whole number of turns over the clip),
rendered ONCE per (look, colours, size) and kept in a cache directory; scenes then loop it (`stream_loop`),
so a render pays only for decoding it under the captions.

Why `geq` on a small canvas: measured here (540x960, 60 frames, loaded 2-core machine) `gradients` took 3 s,
`geq` 19 s, `noise` 6.6 s, `mandelbrot` 9.9 s, `cellauto` 0.8 s, `life` 1.7 s. `geq` is the only one that
loops exactly and takes brand colours for every pixel, and on a canvas a sixth of the frame's side it costs
1/36 of that; the looks are soft, so a blur and a bicubic upscale hide the small canvas completely.
"""

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mediakit.ffmpeg import run_ffmpeg

LOOP_SECONDS = 6.0
MOTION_FPS = 10  # slow, soft motion reads smoothly at 10 fps; a render draws a third of the frames of 30 fps
CANVAS_DIVISOR = 6  # the look is computed on a canvas this many times smaller than the frame
CACHE_VERSION = 1  # bump when a look's expression changes, so cached clips are made again

# p: the loop's phase, one whole turn over LOOP_SECONDS; u, v: position across and down in [0, 1].
_P = f"(2*PI*T/{LOOP_SECONDS})"
_U, _V = "(X/W)", "(Y/H)"


def _blob(cx: str, cy: str, radius: float) -> str:
    return f"exp(-(pow({_U}-({cx}),2)+pow(({_V}-({cy}))*H/W,2))/{radius * radius})"


# Each look: a field in [0, 1] and the canvas divisor it needs. The field maps onto a palette: 0 is the first
# colour, GLOW_AT the second, 1 a near-white glow (light leaks, bokeh). One expression per pixel (the palette
# is a lookup table), so a look costs a third of mixing the colours inside geq.
GLOW_AT = 0.75
GLOW_WHITE = 235
LOOKS: dict[str, tuple[str, int]] = {
    # An animated gradient: a diagonal wave drifting across the frame.
    "drift": (f"0.375+0.375*sin(2.2*{_U}+1.6*{_V}+{_P})", 12),
    # Bands that bend slowly, like an aurora.
    "aurora": (f"0.375+0.25*sin(5*{_U}+2*sin(3*{_V}+{_P}))+0.125*sin(4*{_V}-{_P})", 12),
    # Soft particles: blurred discs of light circling slowly (big and soft: a tiny canvas is enough).
    "bokeh": (
        "0.15+0.7*("
        + "+".join(
            _blob(f"{x}+0.12*sin({_P}+{phase})", f"{y}+0.08*cos({_P}+{phase})", 0.14)
            for x, y, phase in [(0.2, 0.2, 0), (0.75, 0.35, 1.6), (0.35, 0.65, 3.2), (0.8, 0.85, 4.7)]
        )
        + ")",
        30,
    ),
    # A light leak: a warm glow sliding along the top, over a gentle gradient.
    "leak": (f"0.2+0.4*{_V}+0.9*" + _blob(f"0.5+0.45*sin({_P})", f"0.12+0.08*cos({_P})", 0.15), 30),
    # A slow pattern: soft diagonal stripes sliding by.
    "waves": (f"0.375+0.375*sin(5*({_U}+0.6*{_V})-{_P})", 12),
    # Rings spreading from the centre.
    "rings": (f"0.375+0.375*sin(7*hypot({_U}-0.5,({_V}-0.5)*H/W)-{_P})", 12),
}
NAMES = tuple(LOOKS)


@dataclass(frozen=True)
class LookClip:
    look: str
    colors: tuple[str, str]
    width: int
    height: int

    @property
    def key(self) -> str:
        text = f"{CACHE_VERSION}|{self.look}|{'|'.join(self.colors)}|{self.width}x{self.height}|{MOTION_FPS}"
        return hashlib.sha256(text.encode()).hexdigest()[:24]


def look_clip_args(clip: LookClip, out: Path) -> list[str]:
    """ffmpeg arguments rendering one loop of a look at the frame size, MOTION_FPS, x264."""
    if clip.look not in LOOKS:
        raise ValueError(f"no look named {clip.look!r}")
    field, divisor = LOOKS[clip.look]
    small_w = max(16, clip.width // divisor // 2 * 2)
    small_h = max(16, clip.height // divisor // 2 * 2)
    first, second = (_rgb(c) for c in clip.colors)
    knee = round(255 * GLOW_AT)
    # The palette: first → second colour up to the knee, then towards a soft white.
    channels = {
        name: f"if(lt(val,{knee}),{a}+({b}-{a})*val/{knee},{b}+({GLOW_WHITE}-{b})*(val-{knee})/{255 - knee})"
        for name, a, b in zip("rgb", first, second, strict=True)
    }
    frames = round(LOOP_SECONDS * MOTION_FPS)
    graph = (
        f"geq=lum='255*clip({field},0,1)',gblur=sigma=1,format=gbrp,"
        f"lutrgb=r='{channels['r']}':g='{channels['g']}':b='{channels['b']}',"
        f"scale={clip.width}:{clip.height}:flags=bicubic,setsar=1,format=yuv420p"
    )
    return [
        "-f", "lavfi", "-i", f"color=c=black:s={small_w}x{small_h}:r={MOTION_FPS},format=gray",
        "-vf", graph, "-frames:v", str(frames),
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-g", str(frames), "-bf", "0",
        "-pix_fmt", "yuv420p", "-an", str(out),
    ]  # fmt: skip


def ensure_clip(clip: LookClip, cache_dir: Path, is_cancelled=lambda: False) -> Path:
    """The clip's file in `cache_dir`, rendered first if it is not there. Written under a temporary
    name and renamed, so concurrent renders never read half a clip (the last rename wins, same bytes)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"look-{clip.key}.mp4"
    if path.is_file() and path.stat().st_size > 0:
        return path
    handle, temporary = tempfile.mkstemp(prefix=".look-", suffix=".mp4", dir=cache_dir)
    os.close(handle)
    try:
        run_ffmpeg(look_clip_args(clip, Path(temporary)), duration=LOOP_SECONDS, is_cancelled=is_cancelled)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]
