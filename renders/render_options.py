"""Job options -> the RenderContext's look (brand, captions, zoom, transition) and its media.

Options are plain JSON frozen on the job at submission. Media (logo, music, storyboard backgrounds) are
storage names inside the job's workspace; they are copied into the work dir before the pipeline runs,
because production storage is S3-like and ffmpeg reads local files.
"""

import shutil
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage

from mediakit.captions.ass import CaptionStyle
from mediakit.errors import StageError
from mediakit.pipeline.context import RenderContext
from mediakit.video.storyboard import Brand, Storyboard, StoryboardError
from renders.models import RenderJob

TRANSITIONS = ("cut", "crossfade")
_CAPTION_FIELDS = {f.name for f in fields(CaptionStyle)} - {"speaker_colors"}


def look_from_options(options: dict[str, Any]) -> dict[str, Any]:
    """RenderContext keyword arguments for the look; options a job does not set keep the defaults."""
    look: dict[str, Any] = {
        "prepare_storyboard": bool(options.get("prepare_storyboard")),
        "watermark": bool(options.get("watermark")),
    }
    if brand := options.get("brand"):
        look["brand"] = Brand(primary=brand["primary"], secondary=brand["secondary"], gradient=brand["gradient"])
    if "zoom" in options:
        look["zoom"] = bool(options["zoom"])
    if options.get("transition") in TRANSITIONS:
        look["transition"] = options["transition"]
    if style := options.get("caption_style"):
        look["caption_style"] = CaptionStyle(**{k: v for k, v in style.items() if k in _CAPTION_FIELDS})
    return look


def fetch_media(job: RenderJob, ctx: RenderContext) -> None:
    """Copy the job's stored media into its work dir and point the context (and edited storyboard) at them."""
    ctx.stage = "media"
    folder = ctx.workdir / "media"
    folder.mkdir(parents=True, exist_ok=True)
    copies: dict[str, Path] = {}

    def local(name: str, what: str) -> Path:
        if name not in copies:
            copies[name] = _copy(job, name, folder / f"{len(copies)}-{Path(name).name}", what)
        return copies[name]

    if job.options.get("logo"):
        ctx.logo = local(job.options["logo"], "the campaign logo")
    if job.options.get("music"):
        ctx.music = local(job.options["music"], "the campaign music")
    if job.options.get("storyboard"):
        try:
            board = Storyboard.from_json(job.options["storyboard"])
        except StoryboardError as error:
            raise StageError(f"the edited storyboard cannot be used: {error}") from None
        scenes = tuple(
            replace(s, background=replace(s.background, path=str(local(s.background.path, f"scene {n}'s background"))))
            if s.background.path
            else s
            for n, s in enumerate(board.scenes, start=1)
        )
        ctx.storyboard = replace(board, scenes=scenes)


def _copy(job: RenderJob, name: str, target: Path, what: str) -> Path:
    # Only the job's own workspace: options are data, and a name must never reach another tenant's files.
    if not name.startswith(f"workspaces/{job.workspace_id}/") or ".." in name.split("/"):
        raise StageError(f"{what} is not a file of this workspace")
    if not default_storage.exists(name):
        raise StageError(f"{what} ({Path(name).name}) is missing; upload it again")
    with default_storage.open(name, "rb") as source, target.open("wb") as copy:
        shutil.copyfileobj(source, copy)
    return target
