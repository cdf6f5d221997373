"""Compose benchmark: the piece renderer against the naive one on the same narration and storyboard.

    /work/main/.venv/bin/python bench/render.py [--quick]

Narrates a script once with Piper (about 60 s), then renders 9:16 and 16:9, 30 s and 60 s: still scenes
(the brand's gradients), moving scenes (the keyless default: a generated motion look on every scene and a
kinetic card, first with an empty look cache, then with the looks cached as every later render finds them)
and a slow zoom on every scene; prints wall time, video seconds per wall second and size next to a naive
reference (one looped input per slide + the subtitles filter, one ffmpeg). --quick: 30 s, 9:16 only, 720p.
"""

import argparse
import os
import sys
import tempfile
import time
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnivibe.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django

django.setup()

import font_roboto  # noqa: E402

from mediakit.audio import write_wav  # noqa: E402
from mediakit.captions.ass import to_ass  # noqa: E402
from mediakit.captions.cues import build_cues  # noqa: E402
from mediakit.ffmpeg import run_ffmpeg  # noqa: E402
from mediakit.pipeline.context import RenderContext  # noqa: E402
from mediakit.pipeline.stages import compose, narrate  # noqa: E402
from mediakit.text.script import parse_text, speakers_in_order  # noqa: E402
from mediakit.video import commands  # noqa: E402
from mediakit.video.storyboard import build_storyboard  # noqa: E402
from voices.services import default_voice_spec  # noqa: E402

SCRIPT = """Host: Welcome back to the show. Today we look at how a script becomes a finished video in seconds.
Guest: Thanks for having me. The trick is to draw only what changes on the screen, and nothing else.
Host: So a still background is rendered once, and the captions change word by word above it.
Guest: Exactly. Two encoders run side by side, one for each core, and the pieces are joined at the end.
Host: What about music and loudness? Creators publish everywhere, and every platform has its own rules.
Guest: The music ducks under the voice, and the whole mix lands at minus fourteen LUFS, like streaming.
Host: And zoom? A slow zoom makes still images feel alive, but every frame then changes.
Guest: Right, those scenes cost more, so we only pay for them where the storyboard asks for motion.
Host: How long does a one minute video take now, from finished narration to the final file?
Guest: A fraction of its length for still scenes. Zoomed scenes take longer, because every frame is new.
Host: Let's wrap up. Thanks for listening, and see you in the next episode of the show."""


def narrate_once(workdir: Path) -> RenderContext:
    workdir.mkdir(parents=True)
    blocks = parse_text(SCRIPT)
    ctx = RenderContext(
        blocks=blocks,
        voices={s: default_voice_spec(i) for i, s in enumerate(speakers_in_order(blocks))},
        workdir=workdir,
    )
    narrate.run(ctx)
    return ctx


def cut(ctx: RenderContext, seconds: float, workdir: Path) -> RenderContext:
    """The first `seconds` of the narration (padded with silence if it is shorter), words inside it."""
    with wave.open(str(ctx.outputs["wav"])) as source:
        rate = source.getframerate()
        samples = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2").astype(np.float32) / 32768
    samples = np.pad(samples, (0, max(0, int(seconds * rate) - len(samples))))[: int(seconds * rate)]
    workdir.mkdir(parents=True, exist_ok=True)
    wav = workdir / "narration.wav"
    write_wav(wav, samples, rate)
    words = [w for w in ctx.words if w.end <= seconds]
    blocks = ctx.blocks[: words[-1].block + 1]
    part = RenderContext(blocks=blocks, voices=ctx.voices, workdir=workdir)
    part.words, part.duration, part.outputs = words, seconds, {"wav": wav}
    return part


LOOKS = ("still", "moving (cold)", "moving", "zoom")


def ours(base: RenderContext, aspect: str, height: int, look: str, out: Path, cache: Path) -> tuple[float, Path]:
    out.mkdir(parents=True, exist_ok=True)
    moving, zoom = look.startswith("moving"), look == "zoom"
    ctx = replace(
        base,
        workdir=out,
        aspect=aspect,
        video_height=height,
        zoom=zoom,
        outputs=dict(base.outputs),
        kinetic=moving,  # the keyless default draws a card on each scene; the still reference none
        look_cache=cache,
    )
    brand = replace(ctx.brand, motion=moving)
    ctx.storyboard = build_storyboard(ctx.blocks, ctx.words, ctx.duration, brand=brand, zoom=zoom)
    started = time.perf_counter()
    compose.run(ctx)
    return time.perf_counter() - started, ctx.outputs["mp4"]


def naive(base: RenderContext, aspect: str, height: int, out: Path) -> tuple[float, Path]:
    """The old way: every slide a looped still input, concat filter, subtitles over every frame."""
    out.mkdir(parents=True, exist_ok=True)
    ctx = replace(base, workdir=out, aspect=aspect, video_height=height)
    width, height = ctx.frame_size
    board = build_storyboard(ctx.blocks, ctx.words, ctx.duration, brand=replace(ctx.brand, motion=False))
    ass = out / "captions.ass"
    ass.write_text(to_ass(build_cues(ctx.words), width=width, height=height), encoding="utf-8")
    stills = []
    for i, scene in enumerate(board.scenes):  # prepared beforehand, not timed: the naive way gets them free
        still = out / f"slide-{i}.png"
        run_ffmpeg(commands.background_still_args(scene.background, width, height, still), duration=0)
        stills.append(still)
    inputs = []
    for scene, still in zip(board.scenes, stills, strict=True):
        inputs += ["-loop", "1", "-framerate", "30", "-t", f"{scene.duration:.3f}", "-i", str(still)]
    count = len(stills)
    graph = (
        "".join(f"[{i}:v]" for i in range(count))
        + f"concat=n={count}:v=1:a=0,ass={commands.filter_path(ass)}:"
        + f"fontsdir={commands.filter_path(font_roboto.font_directory)},format=yuv420p[v]"
    )
    video = out / "naive.mp4"
    started = time.perf_counter()
    run_ffmpeg(
        [*inputs, "-i", str(ctx.outputs["wav"]), "-filter_complex", graph, "-map", "[v]", "-map", f"{count}:a",
         *commands.X264, "-c:a", "aac", "-b:a", "160k", "-movflags", "+faststart", str(video)],
        duration=ctx.duration,
    )  # fmt: skip
    return time.perf_counter() - started, video


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="30 s, 9:16, 720p only (about a minute)")
    parser.add_argument("--lengths", type=float, nargs="+", help="video lengths in seconds (default 30 60)")
    parser.add_argument("--aspects", nargs="+", choices=["9:16", "16:9", "1:1"], help="default 9:16 16:9")
    args = parser.parse_args()
    height = 720 if args.quick else 1080
    lengths = args.lengths or ([30.0] if args.quick else [30.0, 60.0])
    aspects = args.aspects or (["9:16"] if args.quick else ["9:16", "16:9"])
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        root = Path(scratch)
        started = time.perf_counter()
        full = narrate_once(root / "narration")
        print(f"narration: {full.duration:.1f} s synthesised in {time.perf_counter() - started:.1f} s", flush=True)
        header = f"{'render':34} {'wall s':>7} {'video s/s':>9} {'MB':>6} {'naive s':>8} {'speed-up':>8}"
        print(header, flush=True)
        for seconds in lengths:
            base = cut(full, seconds, root / f"base-{seconds:.0f}")
            for aspect in aspects:
                # The naive reference for the still render (its like-for-like comparison).
                naive_wall, naive_file = naive(
                    base, aspect, height, root / f"naive-{aspect}-{seconds:.0f}".replace(":", "x")
                )
                # Empty: the first moving render fills it.
                cache = root / f"looks-{aspect}-{seconds:.0f}".replace(":", "x")
                walls = {}
                for look in LOOKS:
                    name = f"{aspect} {seconds:.0f}s {height}p {look}"
                    folder = root / name.replace(" ", "-").replace(":", "x").replace("(", "").replace(")", "")
                    wall, video = ours(base, aspect, height, look, folder, cache)
                    walls[look] = wall
                    ratio = f"{naive_wall / wall:7.1f}x" + ("" if look == "still" else "*")
                    print(
                        f"{name:34} {wall:7.1f} {seconds / wall:9.1f} {video.stat().st_size / 1e6:6.1f} "
                        f"{naive_wall:8.1f} {ratio:>8}",
                        flush=True,
                    )
                print(
                    f"{'  moving / still':34} {walls['moving'] / walls['still']:7.2f}  (cold cache: "
                    f"{walls['moving (cold)'] / walls['still']:.2f})",
                    flush=True,
                )
                print(
                    f"{'  naive ' + aspect + f' {seconds:.0f}s':34} {naive_wall:7.1f} {seconds / naive_wall:9.1f} "
                    f"{naive_file.stat().st_size / 1e6:6.1f}",
                    flush=True,
                )
    print("* moving and zoom renders are compared with the naive still render (the naive way has no motion).")


if __name__ == "__main__":
    main()
