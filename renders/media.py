"""A job's media (logo, music, edited storyboard backgrounds) into its work dir before the pipeline runs.

Options name them by storage name inside the job's workspace; production storage is S3-like and ffmpeg reads
local files, so they are copied first.
"""

from dataclasses import replace
from pathlib import Path

from django.core.files.storage import default_storage

from mediakit.errors import StageError
from mediakit.pipeline import RenderContext
from mediakit.speech.cache import CacheUse
from mediakit.video.storyboard import Storyboard, StoryboardError
from renders import caches, visuals
from renders.models import RenderJob
from renders.options import RenderOptions


def fetch_media(job: RenderJob, options: RenderOptions, ctx: RenderContext) -> None:
    """Copy the job's stored media into its work dir and point the context (and edited storyboard) at them."""
    ctx.stage = "media"
    folder = ctx.workdir / "media"
    folder.mkdir(parents=True, exist_ok=True)
    copies: dict[str, Path] = {}
    use = CacheUse()  # this machine's downloaded-media cache (renders/caches.py)

    def local(name: str, what: str) -> Path:
        if name not in copies:
            copies[name] = _copy(job, name, folder / f"{len(copies)}-{Path(name).name}", what, use)
        return copies[name]

    if options.logo:
        ctx.logo = local(options.logo, "the campaign logo")
    if options.music:
        ctx.music = local(options.music, "the campaign music")
    if options.storyboard:
        try:
            board = Storyboard.from_json(options.storyboard)
        except StoryboardError as error:
            raise StageError(f"the edited storyboard cannot be used: {error}") from None
        scenes = tuple(
            replace(s, background=replace(s.background, path=str(local(s.background.path, f"scene {n}'s background"))))
            if s.background.path
            else s
            for n, s in enumerate(board.scenes, start=1)
        )
        ctx.storyboard = replace(board, scenes=scenes)
        # Stock chosen in the editor is credited like stock the pipeline chose.
        ctx.report["visuals"] = visuals.credits_for(job.workspace_id, board)
    caches.record_use(caches.MEDIA, use)


def _copy(job: RenderJob, name: str, target: Path, what: str, use: CacheUse) -> Path:
    # Only the job's own workspace: options are data, and a name must never reach another tenant's files.
    if not name.startswith(f"workspaces/{job.workspace_id}/") or ".." in name.split("/"):
        raise StageError(f"{what} is not a file of this workspace")
    if not default_storage.exists(name):
        raise StageError(f"{what} ({Path(name).name}) is missing; upload it again")
    caches.copy_media(name, target, use)
    return target
