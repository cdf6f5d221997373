"""Compose: the MP4 from narration.wav, the words and the storyboard, and a thumbnail.

Reads nothing else from earlier stages, so a failed compose is retried alone. See video/pieces.py for why
the video is built from pieces; here they are run, two at a time, with progress and cancellation.
"""

import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, wait
from dataclasses import dataclass, replace
from pathlib import Path

import av

from mediakit.captions.ass import CENTER_MARGIN, ass_bgr, frame_rules, safe_top, to_ass, with_dialogue_colors
from mediakit.captions.cues import build_cues
from mediakit.captions.fonts import caption_font, font_folder
from mediakit.errors import RenderCancelled, StageError
from mediakit.ffmpeg import run_ffmpeg
from mediakit.pipeline.context import RenderContext
from mediakit.text.script import speakers_in_order
from mediakit.threads import pool_in_context
from mediakit.video.commands import (
    background_still_args,
    join_args,
    moving_source,
    piece_args,
    pieces_concat_list,
    still_concat_list,
    thumbnail_args,
)
from mediakit.video.kinetic import card_events, storyboard_cards
from mediakit.video.looks import LOOP_SECONDS, LookClip, ensure_clip
from mediakit.video.looks import NAMES as LOOK_NAMES
from mediakit.video.mix import audio_encode_args, audio_mix_args, loudness_measure_args, parse_loudnorm
from mediakit.video.overlays import caption_change_frames, title_events, watermark_event
from mediakit.video.pieces import Piece, VideoOptions, first_frames, plan_pieces
from mediakit.video.storyboard import Background, Storyboard, build_storyboard

WORKERS = 2  # one ffmpeg per core: pieces are independent, so this beats one process with threads


@dataclass
class Job:
    """One ffmpeg run (or a short chain of them) and its share of the stage's work."""

    name: str
    weight: float
    work: Callable[[Callable[[float], None], Callable[[], bool]], None]


def run(ctx: RenderContext) -> None:
    storyboard = ctx.storyboard or build_storyboard(ctx.blocks, ctx.words, ctx.duration, brand=ctx.brand, zoom=ctx.zoom)
    video, thumbnail = ctx.workdir / "video.mp4", ctx.workdir / "thumbnail.jpg"
    scratch = Path(tempfile.mkdtemp(prefix="compose-", dir=ctx.workdir))
    try:
        _render(ctx, storyboard, scratch, video, thumbnail)
    except BaseException:
        video.unlink(missing_ok=True)
        thumbnail.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ctx.outputs["mp4"] = video
    ctx.outputs["thumbnail"] = thumbnail


def _render(ctx: RenderContext, storyboard: Storyboard, scratch: Path, video: Path, thumbnail: Path) -> None:
    width, height = ctx.frame_size
    options = VideoOptions(
        width=width,
        height=height,
        fps=ctx.frame_rate,
        transition=ctx.transition,
        transition_frames=round(0.4 * ctx.frame_rate),
        constant_frame_rate=ctx.constant_frame_rate,
        logo=ctx.logo,
        logo_corner=ctx.logo_corner,
    )
    _check_files(storyboard, ctx)
    ass = _write_captions(ctx, storyboard, width, height, scratch) if _has_text(ctx, storyboard) else None
    changes = caption_change_frames(ass.read_text(encoding="utf-8"), options.fps) if ass else []
    pieces = plan_pieces(storyboard, options)
    fonts = font_folder(scratch / "fonts")

    # Stills first: every distinct still background once (they are quick, and pieces read them).
    stills: dict[Background, Path] = {}
    for scene in storyboard.scenes:
        if scene.background.kind not in ("video", "motion") and scene.background not in stills:
            stills[scene.background] = scratch / f"still-{len(stills)}.png"
    still_jobs = [
        _ffmpeg_job(f"still {path.name}", 1.0, background_still_args(bg, width, height, path), 1.0)
        for bg, path in stills.items()
    ]
    # Motion looks: each (look, colours, size) rendered once into the look cache, then looped under scenes.
    cache = ctx.look_cache or scratch / "looks"
    clips = {
        s.background: LookClip(s.background.look or LOOK_NAMES[0], s.background.colors[:2], width, height)
        for s in storyboard.scenes
        if s.background.kind == "motion"
    }
    for background, clip in clips.items():
        stills[background] = cache / f"look-{clip.key}.mp4"
    look_jobs = [_look_job(clip, cache) for clip in dict.fromkeys(clips.values())]
    _run_jobs(ctx, still_jobs + look_jobs, span=(0.0, 0.05))

    clip_lengths: dict[str | None, float] = {
        s.background.path: _media_length(Path(s.background.path))
        for s in storyboard.scenes
        if s.background.kind == "video"
    }
    clip_lengths[None] = LOOP_SECONDS  # motion looks (no path)
    piece_files = [scratch / f"piece-{i:04d}.mp4" for i in range(len(pieces))]
    firsts = first_frames(pieces)
    jobs = [
        _piece_job(piece, out, storyboard, stills, clip_lengths, firsts, changes, ass, fonts, options, scratch)
        for piece, out in zip(pieces, piece_files, strict=True)
    ]
    audio = scratch / "audio.m4a"
    jobs.append(_audio_job(ctx, scratch, audio))
    _run_jobs(ctx, sorted(jobs, key=lambda job: -job.weight), span=(0.05, 0.95))

    piece_list = scratch / "pieces.txt"
    piece_list.write_text(pieces_concat_list(piece_files, pieces, options.fps), encoding="utf-8")
    ctx.check_cancelled()
    run_ffmpeg(join_args(piece_list, audio, video), duration=ctx.duration, is_cancelled=ctx.is_cancelled)
    # The thumbnail: the first scene, at its first spoken word's middle, so its caption shows.
    first_piece_seconds = pieces[0].frames / options.fps
    at = next(((w.start + w.end) / 2 for w in ctx.words), 0.0)
    at = min(at, max(0.0, first_piece_seconds - 1.5 / options.fps))
    run_ffmpeg(thumbnail_args(piece_files[0], at, thumbnail), duration=0, is_cancelled=ctx.is_cancelled)
    ctx.progress(1.0)


def _has_text(ctx: RenderContext, storyboard: Storyboard) -> bool:
    return (
        ctx.watermark
        or (ctx.burn_captions and bool(ctx.words))
        or any(s.title for s in storyboard.scenes)
        or (ctx.kinetic and bool(ctx.words))
    )


def _write_captions(ctx: RenderContext, storyboard: Storyboard, width: int, height: int, scratch: Path) -> Path:
    style = with_dialogue_colors(ctx.caption_style, speakers_in_order(ctx.blocks))
    # Korean, Japanese or Chinese on screen: a font that has their glyphs.
    style = replace(style, font_name=caption_font(ctx.language, (block.text for block in ctx.blocks), style.font_name))
    if storyboard.scenes[0].layout == "captions-center":
        style = replace(style, margin_bottom=CENTER_MARGIN)
    rules = frame_rules(width, height, style)
    cues = build_cues(ctx.words, rules, until=ctx.duration) if ctx.burn_captions else []
    document = to_ass(cues, width=width, height=height, style=style)
    titles = title_events(storyboard, width, height)
    if ctx.kinetic:
        accent, top = ass_bgr(style.highlight_color), safe_top(style)
        for scene, card in storyboard_cards(storyboard, ctx.words):
            titles += card_events(card, scene.start, scene.end, width, height, accent=accent, top=top)
    if ctx.watermark:
        titles.append(watermark_event(ctx.duration, width, height))
    path = scratch / "captions.ass"
    path.write_text(document + "".join(line + "\n" for line in titles), encoding="utf-8")
    return path


def _check_files(storyboard: Storyboard, ctx: RenderContext) -> None:
    for number, scene in enumerate(storyboard.scenes, start=1):
        path = scene.background.path
        if path is not None and not Path(path).is_file():
            raise StageError(f"scene {number}: background file {path} is missing")
    if ctx.logo is not None and not Path(ctx.logo).is_file():
        raise StageError(f"logo file {ctx.logo} is missing")
    if ctx.music is not None and not Path(ctx.music).is_file():
        raise StageError(f"music file {ctx.music} is missing")


def _media_length(path: Path) -> float:
    try:
        with av.open(str(path)) as container:
            return (container.duration or 0) / 1_000_000
    except av.FFmpegError as error:
        raise StageError(f"cannot read video background {path.name}: {error}") from error


def _ffmpeg_job(name: str, weight: float, args: list[str], duration: float) -> Job:
    def work(on_progress: Callable[[float], None], is_cancelled: Callable[[], bool]) -> None:
        run_ffmpeg(args, duration=duration, on_progress=on_progress, is_cancelled=is_cancelled)

    return Job(name, weight, work)


def _look_job(clip: LookClip, cache: Path) -> Job:
    def work(on_progress: Callable[[float], None], is_cancelled: Callable[[], bool]) -> None:
        ensure_clip(clip, cache, is_cancelled)

    return Job(f"look {clip.key}", 3.0, work)


def _piece_job(
    piece: Piece,
    out: Path,
    storyboard: Storyboard,
    stills: dict,
    clip_lengths: dict,
    firsts: dict[int, int],
    changes: list[int],
    ass: Path | None,
    fonts: Path,
    options: VideoOptions,
    scratch: Path,
) -> Job:
    fps = options.fps
    seconds = piece.frames / fps
    if not piece.moving:
        scene = storyboard.scenes[piece.scenes[0]]
        listing = scratch / f"{out.stem}.txt"
        listing.write_text(
            still_concat_list(stills[scene.background], piece, changes, fps, options.constant_frame_rate),
            encoding="utf-8",
        )
        states = listing.read_text().count("file ")
        args = piece_args(piece, [], ass=ass, fonts=fonts, options=options, out=out, still_list=listing)
        # A still piece costs per caption state, a moving one per frame.
        weight = piece.frames if options.constant_frame_rate else states * 1.5
        return _ffmpeg_job(out.name, weight, args, seconds)
    sources = []
    for index in piece.scenes:
        scene = storyboard.scenes[index]
        offset = (piece.first - firsts[index]) / fps  # where in the scene's background this piece begins
        sources.append(
            moving_source(
                scene,
                stills.get(scene.background),
                offset,
                seconds,
                options,
                clip_lengths.get(scene.background.path, 0),
                keep=[f - piece.first for f in changes if piece.first < f < piece.last],
            )
        )
    args = piece_args(piece, sources, ass=ass, fonts=fonts, options=options, out=out)
    per_frame = 0.4 if len(sources) == 1 and sources[0].own_rate else len(sources)  # a look: a third of them
    return _ffmpeg_job(out.name, piece.frames * per_frame, args, seconds)


def _audio_job(ctx: RenderContext, scratch: Path, out: Path) -> Job:
    narration = ctx.outputs["wav"]

    def work(on_progress: Callable[[float], None], is_cancelled: Callable[[], bool]) -> None:
        mix = scratch / "mix.wav"
        run_ffmpeg(
            audio_mix_args(narration, ctx.music, ctx.music_gain_db, mix),
            duration=ctx.duration,
            on_progress=lambda f: on_progress(f / 3),
            is_cancelled=is_cancelled,
        )
        log = run_ffmpeg(
            loudness_measure_args(mix, ctx.loudness_target),
            duration=ctx.duration,
            on_progress=lambda f: on_progress((1 + f) / 3),
            is_cancelled=is_cancelled,
            loglevel="info",
        )
        try:
            measured = parse_loudnorm(log)
        except ValueError as error:
            raise StageError(f"loudness measurement failed: {error}") from error
        run_ffmpeg(
            audio_encode_args(mix, ctx.loudness_target, measured, ctx.duration, out),
            duration=ctx.duration,
            on_progress=lambda f: on_progress((2 + f) / 3),
            is_cancelled=is_cancelled,
        )

    return Job("audio", ctx.duration * ctx.frame_rate * 0.05, work)


def _run_jobs(ctx: RenderContext, jobs: list[Job], span: tuple[float, float]) -> None:
    """Run jobs on WORKERS threads (each drives one ffmpeg); report progress and watch for
    cancellation from this thread. The first failure stops the rest and is raised."""
    if not jobs:
        return
    stop = threading.Event()
    done = {job.name: 0.0 for job in jobs}
    total = sum(job.weight for job in jobs) or 1.0

    def stopped() -> bool:
        return stop.is_set()

    def start(job: Job) -> None:
        if stop.is_set():
            raise RenderCancelled()
        job.work(lambda fraction: done.__setitem__(job.name, fraction), stopped)
        done[job.name] = 1.0

    with pool_in_context(max_workers=WORKERS, thread_name_prefix="compose") as pool:
        futures: list[Future] = [pool.submit(start, job) for job in jobs]
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
                if ctx.is_cancelled() or any(f.exception() for f in finished):
                    stop.set()
                low, high = span
                ctx.progress(low + (high - low) * sum(done[j.name] * j.weight for j in jobs) / total)
        except BaseException:  # e.g. the worker's time is up: leaving the pool must not wait for ffmpeg
            stop.set()
            raise
    ctx.check_cancelled()
    errors = [f.exception() for f in futures if f.exception() is not None]
    real = [e for e in errors if not isinstance(e, RenderCancelled)]
    if real:
        raise real[0]
    if errors:
        raise errors[0]
