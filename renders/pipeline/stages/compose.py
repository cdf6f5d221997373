"""Compose: the MP4, a background with the captions burned in and the narration as its sound."""

import font_roboto

from renders.pipeline import captions as caption_formats
from renders.pipeline.context import RenderContext
from renders.pipeline.media import run_ffmpeg

FRAME_RATE = 15  # still backgrounds: captions change a few times a second, so 15 fps shows every word


def run(ctx: RenderContext) -> None:
    width, height = ctx.frame_size
    subtitles = ctx.workdir / "captions.ass"
    cues = caption_formats.build_cues(ctx.words, until=ctx.duration)
    style = caption_formats.CaptionStyle(font_name="Roboto")
    subtitles.write_text(caption_formats.to_ass(cues, width=width, height=height, style=style), encoding="utf-8")
    video = ctx.workdir / "video.mp4"
    background = f"color=c=0x{ctx.background.lstrip('#')}:s={width}x{height}:r={FRAME_RATE}"
    run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            background,
            "-i",
            str(ctx.outputs["wav"]),
            "-vf",
            f"ass={_filter_path(subtitles)}:fontsdir={_filter_path(font_roboto.font_directory)}",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-tune",
            "stillimage",
            "-pix_fmt",
            "yuv420p",
            "-profile:v",
            "high",
            "-c:a",
            "aac",
            "-b:a",
            "160k",
            "-ar",
            "48000",
            "-t",
            f"{ctx.duration:.3f}",
            "-movflags",
            "+faststart",
            str(video),
        ],
        duration=ctx.duration,
        on_progress=ctx.progress,
        is_cancelled=ctx.is_cancelled,
    )
    ctx.outputs["mp4"] = video


def _filter_path(path: object) -> str:
    # ffmpeg filter arguments treat : \ ' specially; escape them so any work directory is safe.
    return str(path).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")
