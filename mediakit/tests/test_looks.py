"""Motion looks: a keyless default render's scenes differ from each other and move; clips are made once."""

import itertools
import math
from pathlib import Path

import av
import numpy as np
import pytest
import srt
import webvtt

from mediakit.audio import write_wav
from mediakit.pipeline.context import RenderContext
from mediakit.pipeline.stages import captions, compose
from mediakit.speech.words import TimedWord
from mediakit.tests.test_compose import RATE, speechy
from mediakit.text.script import Block
from mediakit.video.looks import NAMES, LookClip, ensure_clip, look_clip_args
from mediakit.video.storyboard import build_storyboard

BLOCKS = [Block("Host", "a"), Block("Guest", "b"), Block("Host", "c")]
SCENE = 2.0  # three blocks of two seconds: three scenes


def default_ctx(workdir: Path, cache: Path, **options) -> RenderContext:
    """A render as a new user gets it: no storyboard, no brand, no keys; small frames."""
    workdir.mkdir(parents=True)
    wav = workdir / "narration.wav"
    write_wav(wav, speechy(3 * SCENE), RATE)
    ctx = RenderContext(blocks=BLOCKS, voices={}, workdir=workdir, video_height=180, look_cache=cache, **options)
    ctx.words = [
        TimedWord(text, block * SCENE + 0.15 + 0.4 * k, block * SCENE + 0.45 + 0.4 * k, BLOCKS[block].speaker, block)
        for block in range(3)
        for k, text in enumerate(["Render", "moving", "scenes", "now."])
    ]
    ctx.duration, ctx.outputs["wav"], ctx.stage = 3 * SCENE, wav, "compose"
    return ctx


def frames_of(path: Path) -> list[tuple[float, np.ndarray]]:
    with av.open(str(path)) as container:
        return [(frame.time, frame.to_ndarray(format="rgb24").astype(int)) for frame in container.decode(video=0)]


def near(frames, seconds: float) -> np.ndarray:
    return min(frames, key=lambda item: abs(item[0] - seconds))[1]


def test_a_keyless_render_gives_each_scene_its_own_moving_look(tmp_path):
    ctx = default_ctx(tmp_path / "work", tmp_path / "looks", burn_captions=False, kinetic=False)
    compose.run(ctx)
    frames = frames_of(ctx.outputs["mp4"])
    board = build_storyboard(ctx.blocks, ctx.words, ctx.duration)
    assert [scene.background.kind for scene in board.scenes] == ["motion"] * 3
    assert len({scene.background.look for scene in board.scenes}) == 3
    for index in range(3):
        early, late = near(frames, index * SCENE + 0.3), near(frames, index * SCENE + 1.6)
        assert np.abs(early - late).mean() > 2, f"scene {index + 1} does not move"
    for index in range(2):
        before, after = near(frames, index * SCENE + 1.8), near(frames, (index + 1) * SCENE + 0.2)
        assert np.abs(before - after).mean() > 8, f"scenes {index + 1} and {index + 2} look alike"
    # The look's own 10 fps on the 30 fps grid: about a third of the frames of 30 fps.
    times = [time for time, _ in frames]
    assert all(b > a for a, b in itertools.pairwise(times))
    assert 55 <= len(frames) <= 70


def test_a_look_is_rendered_once_and_then_reused(tmp_path):
    clip = LookClip("bokeh", ("#1e293b", "#7c3aed"), 90, 160)
    first = ensure_clip(clip, tmp_path)
    stamp = first.stat().st_mtime_ns
    assert ensure_clip(clip, tmp_path) == first and first.stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no temporary file left behind
    other = LookClip("bokeh", ("#1e293b", "#ff0000"), 90, 160)
    assert other.key != clip.key and LookClip("rings", clip.colors, 90, 160).key != clip.key


def test_every_look_loops_without_a_seam(tmp_path):
    # Every motion makes whole turns over the loop: the frame after the last one is the first one again.
    for name in NAMES:
        path = ensure_clip(LookClip(name, ("#0f172a", "#f97316"), 90, 160), tmp_path)
        frames = frames_of(path)
        step = np.abs(frames[1][1] - frames[0][1]).mean()
        seam = np.abs(frames[-1][1] - frames[0][1]).mean()
        assert seam <= step * 2 + 1, name
        assert np.abs(frames[len(frames) // 2][1] - frames[0][1]).mean() > 1, f"{name} does not move"


def test_an_unknown_look_is_refused():
    try:
        look_clip_args(LookClip("lava", ("#000000", "#ffffff"), 90, 160), Path("x.mp4"))
    except ValueError as error:
        assert "lava" in str(error)
    else:
        raise AssertionError("an unknown look was accepted")


def test_captions_off_still_delivers_the_caption_files(tmp_path):
    on = default_ctx(tmp_path / "on", tmp_path / "looks", kinetic=False)
    off = default_ctx(tmp_path / "off", tmp_path / "looks", kinetic=False, burn_captions=False)
    for ctx in (on, off):
        captions.run(ctx)
        compose.run(ctx)
    srt_cues = list(srt.parse(off.outputs["srt"].read_text(encoding="utf-8")))
    assert srt_cues and "Render" in srt_cues[0].content
    assert "Render" in webvtt.read(str(off.outputs["vtt"]))[0].text
    # Over a moving look, captions still change on time: a frame where each word starts, between the look's own.
    times = {round(time * 30) for time, _ in frames_of(on.outputs["mp4"])}
    assert {math.ceil(word.start * 30 - 1e-9) for word in on.words} <= times
    assert len(times) > len(frames_of(off.outputs["mp4"]))
    # The same picture but for the captions' band: none drawn when they are off.
    a, b = near(frames_of(on.outputs["mp4"]), 0.5), near(frames_of(off.outputs["mp4"]), 0.5)
    band = slice(int(320 * 0.7), int(320 * 0.95))
    assert np.abs(a[band] - b[band]).mean() > 2
    assert np.abs(a[: int(320 * 0.4)] - b[: int(320 * 0.4)]).mean() < 1.5


@pytest.mark.parametrize("constant", [True, False])
def test_moving_looks_crossfade_and_store_every_frame_when_asked(tmp_path, constant):
    ctx = default_ctx(
        tmp_path / "work", tmp_path / "looks", transition="crossfade", constant_frame_rate=constant, kinetic=False
    )
    compose.run(ctx)
    frames = frames_of(ctx.outputs["mp4"])
    if constant:
        assert len(frames) == round(ctx.duration * 30)  # every frame stored
    else:
        assert len(frames) < ctx.duration * 20  # the look's own frames, all 30 only through the fades
    times = [time for time, _ in frames]
    assert all(b > a for a, b in itertools.pairwise(times))
    # Halfway through the fade between scenes 1 and 2, the picture is neither scene's.
    before, middle, after = near(frames, 2.15 - 0.3), near(frames, 2.15), near(frames, 2.15 + 0.3)
    assert np.abs(middle - before).mean() > 1 and np.abs(middle - after).mean() > 1
