"""Compose on small frames with the real ffmpeg: every output read back with PyAV."""

import itertools
import json
import re
import subprocess
import threading
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import av
import numpy as np
import psutil
import pytest

from mediakit.audio import write_wav
from mediakit.errors import RenderCancelled
from mediakit.ffmpeg import FFMPEG
from mediakit.pipeline.context import RenderContext
from mediakit.pipeline.stages import compose
from mediakit.speech.words import TimedWord
from mediakit.text.script import Block
from mediakit.video.commands import still_concat_list
from mediakit.video.mix import parse_loudnorm
from mediakit.video.overlays import TITLE_MAX_LINES, caption_change_frames, title_events
from mediakit.video.pieces import Piece, VideoOptions, plan_pieces
from mediakit.video.storyboard import Background, Brand, Scene, Storyboard, build_storyboard

RATE = 22050
BLOCKS = [Block("Host", "x"), Block("Guest", "y")]
SIZES = {"9:16": (360, 640), "16:9": (640, 360), "1:1": (360, 360)}


def speechy(seconds: float, seed: int = 1) -> np.ndarray:
    """Noise shaped into syllables: loud enough and uneven enough for loudness measurement to mean something."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = np.clip(np.sin(2 * np.pi * 3 * t), 0, None)
    return (rng.normal(0, 0.05, len(t)) * envelope).astype(np.float32)


def timed_words(duration: float) -> list[TimedWord]:
    words, clock, index = [], 0.2, 0
    texts = ["Render", "fast", "videos", "with", "captions", "that", "follow", "every", "spoken", "word", "nicely."]
    while clock + 0.4 < duration:
        block = 0 if clock < duration / 2 else 1
        words.append(
            TimedWord(texts[index % len(texts)], round(clock, 3), round(clock + 0.3, 3), BLOCKS[block].speaker, block)
        )
        clock += 0.4
        index += 1
    return words


@pytest.fixture(scope="module")
def narration(tmp_path_factory) -> tuple[Path, float]:
    path = tmp_path_factory.mktemp("narration") / "narration.wav"
    duration = 6.0
    write_wav(path, speechy(duration), RATE)
    return path, duration


def make_ctx(tmp_path: Path, narration, **options) -> RenderContext:
    wav, duration = narration
    options = {"aspect": "9:16", "video_height": 360, **options}
    ctx = RenderContext(blocks=BLOCKS, voices={}, workdir=tmp_path, **options)
    ctx.words = timed_words(duration)
    ctx.duration = duration
    ctx.outputs["wav"] = wav
    ctx.stage = "compose"
    return ctx


def frame_at(path: Path, seconds: float) -> np.ndarray:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frame = None
        for frame in container.decode(stream):
            if frame.time is not None and frame.time > seconds + 1e-6:
                break
            image = frame.to_ndarray(format="rgb24")
        return image


def integrated_loudness(path: Path) -> float:
    log = subprocess.run(
        [FFMPEG, "-hide_banner", "-nostdin", "-i", str(path), "-af", "ebur128", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", log)[-1])


@pytest.mark.parametrize("aspect", list(SIZES))
def test_it_renders_an_h264_high_mp4_with_aac_at_minus_14_lufs(tmp_path, narration, aspect):
    ctx = make_ctx(tmp_path, narration, aspect=aspect)
    compose.run(ctx)
    with av.open(str(ctx.outputs["mp4"])) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert (video.codec_context.name, video.codec_context.profile) == ("h264", "High")
        assert video.codec_context.pix_fmt == "yuv420p"
        assert (video.width, video.height) == SIZES[aspect]
        assert audio.codec_context.name == "aac"
        assert abs(container.duration / 1e6 - ctx.duration) < 0.05
        assert abs(float(video.duration * video.time_base) - ctx.duration) < 0.05
    assert abs(integrated_loudness(ctx.outputs["mp4"]) + 14) <= 1.5
    with av.open(str(ctx.outputs["thumbnail"])) as thumbnail:
        assert next(thumbnail.decode(video=0)).width == SIZES[aspect][0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thumbnail.jpg", "video.mp4"]


def test_captions_are_burned_in_where_words_are_spoken(tmp_path, narration):
    with_captions = make_ctx(tmp_path / "a", narration, kinetic=False)
    without = make_ctx(tmp_path / "b", narration, burn_captions=False, kinetic=False)
    for ctx in (with_captions, without):
        ctx.workdir.mkdir()
        ctx.storyboard = build_storyboard(BLOCKS, ctx.words, ctx.duration, brand=Brand(gradient=False, motion=False))
        compose.run(ctx)
    word = with_captions.words[3]
    at = (word.start + word.end) / 2
    a, b = frame_at(with_captions.outputs["mp4"], at), frame_at(without.outputs["mp4"], at)
    band = slice(int(640 * 0.75), int(640 * 0.95))  # where bottom captions sit
    assert np.abs(a[band].astype(int) - b[band].astype(int)).mean() > 3
    top = slice(0, int(640 * 0.4))
    assert np.abs(a[top].astype(int) - b[top].astype(int)).mean() < 1


def test_a_storyboard_colour_edit_shows_in_the_frame(tmp_path, narration):
    ctx = make_ctx(tmp_path, narration, burn_captions=False)
    board = build_storyboard(BLOCKS, ctx.words, ctx.duration, brand=Brand(gradient=False, motion=False))
    red = Background(kind="color", colors=("#FF0000",))
    ctx.storyboard = replace(board, scenes=(replace(board.scenes[0], background=red), *board.scenes[1:]))
    compose.run(ctx)
    pixel = frame_at(ctx.outputs["mp4"], 0.5)[100, 100]
    assert pixel[0] > 200 and pixel[1] < 50 and pixel[2] < 50


def test_image_and_video_clip_backgrounds_fill_their_scenes(tmp_path, narration):
    image, clip = tmp_path / "bg.png", tmp_path / "clip.mp4"
    subprocess.run(
        [FFMPEG, "-v", "error", "-f", "lavfi", "-i", "color=c=0x00FF00:s=200x100", "-frames:v", "1", str(image)],
        check=True,
    )
    # A 1 s blue clip, shorter than its scene: it must loop.
    subprocess.run(
        [
            FFMPEG,
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=0x0000FF:s=160x90:r=25:d=1",
            "-pix_fmt",
            "yuv420p",
            str(clip),
        ],
        check=True,
    )
    work = tmp_path / "work"
    work.mkdir()
    ctx = make_ctx(work, narration, burn_captions=False)
    ctx.storyboard = Storyboard(
        duration=ctx.duration,
        scenes=(
            Scene(0, 3, 0, "Host", Background(kind="image", colors=(), path=str(image))),
            Scene(3, ctx.duration, 1, "Guest", Background(kind="video", colors=(), path=str(clip))),
        ),
    )
    compose.run(ctx)
    green, blue = frame_at(ctx.outputs["mp4"], 1.0)[320, 180], frame_at(ctx.outputs["mp4"], 5.5)[320, 180]
    assert green[1] > 200 and green[0] < 50
    assert blue[2] > 200 and blue[1] < 50


def test_every_option_at_once_zoom_crossfade_logo_music(tmp_path, narration):
    logo, music = tmp_path / "logo.png", tmp_path / "music.wav"
    subprocess.run(
        [FFMPEG, "-v", "error", "-f", "lavfi", "-i", "color=c=0xFFFFFF:s=64x64", "-frames:v", "1", str(logo)],
        check=True,
    )
    write_wav(music, 0.3 * np.sin(2 * np.pi * 220 * np.arange(RATE * 2) / RATE), RATE)
    work = tmp_path / "work"
    work.mkdir()
    ctx = make_ctx(work, narration, zoom=True, transition="crossfade", logo=logo, music=music, aspect="16:9")
    compose.run(ctx)
    with av.open(str(ctx.outputs["mp4"])) as container:
        assert abs(container.duration / 1e6 - ctx.duration) < 0.05
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == round(ctx.duration * 30)  # moving scenes hold every frame
    corner = frame_at(ctx.outputs["mp4"], 1.0)[30:40, 560:580]
    assert corner.min() > 200  # the white logo, top right
    assert abs(integrated_loudness(ctx.outputs["mp4"]) + 14) <= 1.5


def test_cancelling_kills_ffmpeg_and_leaves_no_temp_files(tmp_path, narration):
    ctx = make_ctx(tmp_path, narration, zoom=True)
    seen = []
    ctx.on_progress = lambda stage, percent: seen.append(percent)
    cancel = threading.Event()
    ctx.is_cancelled = cancel.is_set
    # Cancel once pieces are being encoded.
    original = ctx.on_progress
    ctx.on_progress = lambda stage, percent: (original(stage, percent), percent > 10 and cancel.set())
    with pytest.raises(RenderCancelled):
        compose.run(ctx)
    assert not [p for p in psutil.Process().children(recursive=True) if "ffmpeg" in p.name()]
    assert list(tmp_path.iterdir()) == []


SCENE_COLOURS = {"#FF0000": (255, 0, 0), "#00FF00": (0, 255, 0), "#0000FF": (0, 0, 255), "#FFFF00": (255, 255, 0)}
CUTS = (0.0, 1.37, 2.81, 4.43, 6.0)  # off the frame grid, as narration timings are


def solid_scenes(zoom_every_other: bool) -> Storyboard:
    colours = list(SCENE_COLOURS)
    return Storyboard(
        duration=CUTS[-1],
        scenes=tuple(
            Scene(start, end, 0, "Host", Background("color", (colours[i],)), zoom=zoom_every_other and i % 2 == 1)
            for i, (start, end) in enumerate(pairwise(CUTS))
        ),
    )


def decoded_frames(path: Path) -> list[tuple[int, float, str]]:
    """(pts, seconds, nearest scene colour) of every frame, in the decoder's output order; the colour is
    read above the captions."""
    names, rgbs = list(SCENE_COLOURS), np.array(list(SCENE_COLOURS.values()))
    frames = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            mean = frame.to_ndarray(format="rgb24")[: frame.height // 3].reshape(-1, 3).mean(axis=0)
            frames.append((frame.pts, frame.time, names[int(np.abs(rgbs - mean).sum(axis=1).argmin())]))
    return frames


@pytest.mark.parametrize(
    ("zoom_every_other", "constant_frame_rate"),
    [(False, False), (True, False), (False, True)],
    ids=["still-scenes", "still-and-moving-scenes", "constant-frame-rate"],
)
def test_the_file_has_rising_timestamps_and_cuts_where_the_storyboard_says(
    tmp_path, narration, zoom_every_other, constant_frame_rate
):
    ctx = make_ctx(tmp_path, narration, constant_frame_rate=constant_frame_rate)
    ctx.storyboard = solid_scenes(zoom_every_other)
    compose.run(ctx)
    remux = subprocess.run(
        [FFMPEG, "-hide_banner", "-nostdin", "-i", str(ctx.outputs["mp4"]), "-c", "copy", "-f", "mp4", "-y",
         str(tmp_path / "remuxed.mp4")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert remux.returncode == 0, remux.stderr
    assert "non monotonically increasing dts" not in remux.stderr
    assert "non monotonic" not in remux.stderr.lower()

    frames = decoded_frames(ctx.outputs["mp4"])
    assert all(later[0] > earlier[0] for earlier, later in pairwise(frames)), "frames come out of order"
    colours = list(SCENE_COLOURS)
    one_frame = 1 / 30
    for index, cut in enumerate(CUTS[1:-1], start=1):
        first_new = next(i for i, frame in enumerate(frames) if frame[2] == colours[index])
        assert abs(frames[first_new][1] - cut) <= one_frame, f"scene {index + 1} starts at {frames[first_new][1]}"
        assert frames[first_new - 1][2] == colours[index - 1]  # the frame on screen just before the cut
    assert [frame[2] for frame in frames] == sorted((frame[2] for frame in frames), key=colours.index)
    if constant_frame_rate:
        assert len(frames) == round(CUTS[-1] * 30)
        assert {later[0] - earlier[0] for earlier, later in pairwise(frames)} == {frames[1][0] - frames[0][0]}


def test_a_default_render_shows_a_different_picture_in_every_scene(tmp_path, narration):
    blocks = [Block("Host", "a"), Block("Guest", "b"), Block("Host", "c"), Block("Guest", "d")]
    ctx = make_ctx(tmp_path, narration, burn_captions=False)
    ctx.blocks = blocks
    ctx.words = [replace(w, block=min(3, int(w.start / 1.5)), speaker=blocks[min(3, int(w.start / 1.5))].speaker)
                 for w in ctx.words]  # fmt: skip
    ctx.storyboard = build_storyboard(blocks, ctx.words, ctx.duration)
    assert len(ctx.storyboard.scenes) == 4
    compose.run(ctx)
    middles = [frame_at(ctx.outputs["mp4"], (s.start + s.end) / 2).astype(int) for s in ctx.storyboard.scenes]
    for one, other in itertools.combinations(range(4), 2):
        assert np.abs(middles[one] - middles[other]).mean() > 8, f"scenes {one + 1} and {other + 1} look alike"


def test_a_still_piece_lists_one_entry_per_caption_state_with_exact_durations():
    piece = Piece(first=30, last=90, scenes=(0,), moving=False)
    listing = still_concat_list(Path("/w/s.png"), piece, [10, 45, 60, 95], 30, False)
    durations = [float(d) for d in re.findall(r"duration (\S+)", listing)]
    assert durations == pytest.approx([0.5, 0.5, 29 / 30, 1 / 30])
    assert sum(durations) == pytest.approx(2.0)


def test_crossfades_are_short_moving_pieces_between_scenes():
    board = Storyboard(
        duration=6.0,
        scenes=(Scene(0, 3, 0, "Host"), Scene(3, 6, 1, "Guest")),
    )
    options = VideoOptions(width=64, height=64, transition="crossfade", transition_frames=12)
    pieces = plan_pieces(board, options)
    assert [(p.first, p.last, p.scenes, p.moving) for p in pieces] == [
        (0, 84, (0,), False),
        (84, 96, (0, 1), True),
        (96, 180, (1,), False),
    ]


def test_caption_change_frames_come_from_the_ass_events():
    ass = "Dialogue: 0,0:00:01.00,0:00:01.50,Default,,0,0,0,,hi\nDialogue: 0,0:00:01.50,0:00:02.01,Default,,0,0,0,,x\n"
    assert caption_change_frames(ass, 30) == [30, 45, 61]


def test_loudnorm_measurement_is_read_from_the_log():
    log = 'blah\n[Parsed_loudnorm_0 @ 0x1] \n{\n\t"input_i" : "-20.1",\n\t"target_offset" : "0.2"\n}\n'
    assert parse_loudnorm(log) == json.loads('{"input_i": "-20.1", "target_offset": "0.2"}')


def test_the_plan_watermark_sits_in_the_top_left_corner(tmp_path, narration):
    plain = make_ctx(tmp_path / "a", narration, burn_captions=False)
    marked = make_ctx(tmp_path / "b", narration, burn_captions=False, watermark=True)
    for ctx in (plain, marked):
        ctx.workdir.mkdir()
        ctx.storyboard = build_storyboard(BLOCKS, ctx.words, ctx.duration, brand=Brand(gradient=False, motion=False))
        compose.run(ctx)
    a, b = frame_at(marked.outputs["mp4"], 1.0), frame_at(plain.outputs["mp4"], 1.0)
    corner = (slice(0, 40), slice(0, 200))  # 360 x 640: the watermark's line at the top left
    assert np.abs(a[corner].astype(int) - b[corner].astype(int)).mean() > 3
    rest = (slice(100, 640), slice(0, 360))
    assert np.abs(a[rest].astype(int) - b[rest].astype(int)).mean() < 1


def test_each_speaker_of_a_dialogue_gets_its_own_caption_colour(tmp_path, narration):
    ctx = make_ctx(tmp_path, narration)
    ctx.storyboard = build_storyboard(BLOCKS, ctx.words, ctx.duration, brand=Brand(gradient=False, motion=False))
    compose.run(ctx)
    band = slice(int(640 * 0.7), int(640 * 0.97))  # where bottom captions sit

    def share_near(frame: np.ndarray, rgb: tuple[int, int, int]) -> float:
        distance = np.abs(frame[band].astype(int) - np.array(rgb)).sum(axis=2)
        return float((distance < 60).mean())

    host = next(w for w in ctx.words if w.speaker == "Host")
    guest = next(w for w in ctx.words if w.speaker == "Guest")
    guest_colour = (0x7D, 0xD3, 0xFC)  # DIALOGUE_COLORS[0]
    host_frame = frame_at(ctx.outputs["mp4"], (host.start + host.end) / 2 + 0.4)
    guest_frame = frame_at(ctx.outputs["mp4"], (guest.start + guest.end) / 2 + 0.4)
    # Guest's words are drawn in it; Host's never are (Host's caption is white).
    assert share_near(guest_frame, guest_colour) > 0.002 > 10 * share_near(host_frame, guest_colour)
    assert share_near(host_frame, (255, 255, 255)) > 0.002


LONG_TITLE = "Seven surprising ways our customers turned one rough script into a week of short videos, with captions"


def title_of(event: str) -> tuple[int, list[str]]:
    """(font size, lines) of a title event."""
    size = int(re.search(r"\\fs(\d+)", event).group(1))
    return size, event.rsplit("}", 1)[1].split("\\N")


@pytest.mark.parametrize(("width", "height"), [(1080, 1920), (1080, 1080), (1920, 1080)])
def test_a_long_title_is_wrapped_to_fit_the_frame(width, height):
    board = Storyboard(duration=6.0, scenes=(Scene(0, 6, 0, "Host", title=LONG_TITLE),))
    (event,) = title_events(board, width, height)
    size, lines = title_of(event)
    assert 2 <= len(lines) <= TITLE_MAX_LINES and " ".join(lines) == LONG_TITLE
    assert min(width, height) * 0.03 <= size <= min(width, height) * 0.08  # readable, never huge
    # Bold Roboto averages under 0.58 em a character: every line fits inside the side margins.
    assert max(len(line) for line in lines) * size * 0.58 <= width * 0.9


def test_a_long_title_stays_inside_a_portrait_frame(tmp_path, narration):
    ctx = make_ctx(tmp_path, narration, burn_captions=False)
    black = Background(kind="color", colors=("#000000",))
    ctx.storyboard = Storyboard(duration=ctx.duration, scenes=(Scene(0, ctx.duration, 0, "Host", black, LONG_TITLE),))
    compose.run(ctx)
    frame = frame_at(ctx.outputs["mp4"], 1.0)  # 360 x 640
    top = frame[: 640 // 2]
    assert top.max() > 200  # the title is drawn
    edges = np.concatenate([top[:, :8], top[:, -8:]], axis=1)
    assert edges.max() < 40  # and no letter runs off either side


def test_a_clip_faded_in_plays_on_from_where_the_fade_left_it(tmp_path, narration):
    # A clip that brightens steadily (a frame's grey level tells its time), after a black scene.
    clip = tmp_path / "ramp.mp4"
    ramp = "color=c=black:s=320x320:r=30:d=2,format=gray,geq=lum='20+T*100'"
    subprocess.run([FFMPEG, "-v", "error", "-f", "lavfi", "-i", ramp, "-pix_fmt", "yuv420p", str(clip)], check=True)
    work = tmp_path / "work"
    work.mkdir()
    ctx = make_ctx(work, narration, burn_captions=False, transition="crossfade")
    black = Background(kind="color", colors=("#000000",))
    ctx.storyboard = Storyboard(
        duration=ctx.duration,
        scenes=(
            Scene(0, 3, 0, "Host", black),
            Scene(3, ctx.duration, 1, "Guest", Background(kind="video", colors=(), path=str(clip))),
        ),
    )
    compose.run(ctx)
    # The fade runs 2.8-3.2 s; from then on the clip must keep brightening, never jump back to replay.
    with av.open(str(ctx.outputs["mp4"])) as container:
        levels = [
            frame.to_ndarray(format="gray").mean() for frame in container.decode(video=0) if 2.8 <= frame.time <= 3.8
        ]
    assert len(levels) == 31 and all(b >= a - 1 for a, b in pairwise(levels))


def test_it_renders_in_a_work_directory_whose_name_ffmpeg_filters_treat_specially(tmp_path, narration):
    # The captions file and fonts are filter arguments: quotes, colons, commas, brackets must not break them.
    work = tmp_path / "it's a:dir, [x];y\\z"
    work.mkdir()
    ctx = make_ctx(work, narration)
    compose.run(ctx)
    assert ctx.outputs["mp4"].stat().st_size > 0


def test_the_mp4_starts_with_its_index_so_it_plays_while_downloading(tmp_path, narration):
    ctx = make_ctx(tmp_path, narration, burn_captions=False)
    compose.run(ctx)
    data = ctx.outputs["mp4"].read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")  # faststart: the moov atom comes first


def test_narration_too_short_to_measure_loudness_still_renders(tmp_path):
    wav = tmp_path / "short.wav"
    write_wav(wav, speechy(0.35), RATE)  # "Hi.": shorter than loudnorm's 400 ms measuring block
    (tmp_path / "work").mkdir()
    ctx = make_ctx(tmp_path / "work", (wav, 0.35))
    ctx.words = [TimedWord("Hi.", 0.05, 0.3, BLOCKS[0].speaker, 0)]
    compose.run(ctx)
    with av.open(str(ctx.outputs["mp4"])) as container:
        assert container.streams.audio[0].codec_context.name == "aac"
        assert abs(container.duration / 1e6 - 0.35) < 0.1


def test_japanese_captions_are_burned_in_with_their_glyphs(tmp_path, narration):
    """Two Japanese captions at the same place: boxes for missing glyphs would draw both the same."""
    frames = []
    for name, text in (("a", "東京の会議"), ("b", "大阪で発表")):
        ctx = make_ctx(tmp_path / name, narration, kinetic=False, language="ja")
        ctx.workdir.mkdir()
        ctx.words = [TimedWord(text, 0.2, 5.5, "Host", 0)]
        ctx.storyboard = build_storyboard(BLOCKS, ctx.words, ctx.duration, brand=Brand(gradient=False, motion=False))
        compose.run(ctx)
        frames.append(frame_at(ctx.outputs["mp4"], 3.0))
    band = slice(int(640 * 0.75), int(640 * 0.95))
    differ = np.abs(frames[0][band].astype(int) - frames[1][band].astype(int)).max(axis=2) > 60
    assert np.count_nonzero(differ) > 300, np.count_nonzero(differ)
