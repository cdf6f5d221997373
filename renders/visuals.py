"""Visual sources for a workspace's renders and storyboard editor: its media library, the stock sources
whose keys are set and, when a render asks, AI video (settings → mediakit.visuals objects); the library's
own writes.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts import audit
from accounts.models import Workspace
from billing.limits import ai_video_seconds_left
from mediakit import untrusted
from mediakit.text import embeddings
from mediakit.video.storyboard import Storyboard
from mediakit.visuals import Visuals, VisualSource
from mediakit.visuals.download import Fetcher
from mediakit.visuals.generated import HeyGen, Runway
from mediakit.visuals.library import Library, LibraryItem, clean_tags, tags_from_name
from mediakit.visuals.stock import Pexels, Pixabay
from renders.models import MediaItem

LIBRARY_LIMIT = 500  # items offered to a render, newest first


def stock_sources(target_side: int = 1080) -> list[VisualSource]:
    """The stock sources with a key, in order of preference; none without keys (the feature is off)."""
    sources: list[VisualSource] = []
    if settings.PEXELS_API_KEY:
        sources.append(
            Pexels(
                settings.PEXELS_API_KEY,
                settings.PEXELS_BASE_URL,
                timeout=settings.STOCK_TIMEOUT,
                target_side=target_side,
            )
        )
    if settings.PIXABAY_API_KEY:
        sources.append(
            Pixabay(
                settings.PIXABAY_API_KEY,
                settings.PIXABAY_BASE_URL,
                timeout=settings.STOCK_TIMEOUT,
                target_side=target_side,
            )
        )
    return sources


def library_of(workspace_id: int) -> Library:
    items = MediaItem.objects.filter(workspace_id=workspace_id)[:LIBRARY_LIMIT]
    return Library([_item(item) for item in items], embed=embeddings.embed)


def sources_for(workspace_id: int, target_side: int = 1080) -> list[VisualSource]:
    """The library first (the workspace's own media), then stock."""
    return [library_of(workspace_id), *stock_sources(target_side)]


def fetcher_for(workspace_id: int, workdir: Path) -> Fetcher:
    return Fetcher(
        default_storage,
        f"workspaces/{workspace_id}/stock",
        workdir,
        max_bytes=settings.STOCK_MAX_DOWNLOAD_BYTES,
        timeout=settings.STOCK_DOWNLOAD_TIMEOUT,
    )


def text_to_video() -> Runway | None:
    """Runway, when its key is set."""
    if not settings.RUNWAY_API_KEY:
        return None
    return Runway(
        settings.RUNWAY_API_KEY,
        settings.RUNWAY_BASE_URL,
        model=settings.RUNWAY_MODEL,
        **_generation_settings(settings.RUNWAY_DOWNLOAD_HOSTS),
    )


def talking_avatar() -> HeyGen | None:
    """HeyGen, when its key and the presenter's avatar are set."""
    if not (settings.HEYGEN_API_KEY and settings.HEYGEN_AVATAR_ID):
        return None
    return HeyGen(
        settings.HEYGEN_API_KEY,
        settings.HEYGEN_BASE_URL,
        upload_url=settings.HEYGEN_UPLOAD_URL,
        avatar_id=settings.HEYGEN_AVATAR_ID,
        **_generation_settings(settings.HEYGEN_DOWNLOAD_HOSTS),
    )


def _generation_settings(hosts: list[str]) -> dict[str, Any]:
    return {
        "timeout": settings.STOCK_TIMEOUT,
        "poll_interval": settings.AI_VIDEO_POLL_INTERVAL,
        "deadline": settings.AI_VIDEO_DEADLINE,
        "download_hosts": hosts,
    }


def visuals_for(
    workspace: Workspace, workdir: Path, target_side: int = 1080, *, ai_video: bool = False, avatar_intro: bool = False
) -> tuple[Visuals | None, list[str]]:
    """What a render's visuals stage uses (None when the workspace has no library and no source is set up)
    and notes for the report: AI video asked for but off (no key, or the plan's seconds used up)."""
    sources = stock_sources(target_side)
    if MediaItem.objects.filter(workspace_id=workspace.pk).exists():
        sources.insert(0, library_of(workspace.pk))
    notes: list[str] = []
    generator = text_to_video() if ai_video else None
    avatar = talking_avatar() if avatar_intro else None
    if ai_video and generator is None:
        notes.append("AI video is off: RUNWAY_API_KEY is not set; generated looks kept")
    if avatar_intro and avatar is None:
        notes.append("the avatar intro is off: HEYGEN_API_KEY and HEYGEN_AVATAR_ID are not both set")
    seconds = ai_video_seconds_left(workspace) if generator or avatar else None
    if seconds is not None and seconds <= 0:
        notes.append("the plan has no AI video seconds left this period; generated looks kept")
        generator = avatar = None
    if generator is not None:
        sources.append(generator)  # last: only for scenes the library and stock did not fill
    if not sources and avatar is None:
        return None, notes
    return Visuals(sources, fetcher_for(workspace.pk, workdir / "visuals"), intro=avatar, ai_seconds=seconds), notes


def credits_for(workspace_id: int, board: Storyboard) -> list[dict[str, Any]]:
    """The credits of the cached stock files a storyboard names (their sidecars, written when downloaded)."""
    fetcher = fetcher_for(workspace_id, Path("."))
    credits = []
    for number, scene in enumerate(board.scenes, start=1):
        credit = fetcher.credit(scene.background.path) if scene.background.path else None
        if credit:
            credits.append({"scene": number, **credit, "file": Path(scene.background.path).name})
    return credits


def add_to_library(
    workspace: Workspace, upload: UploadedFile, kind: str, tags: str, by: Any, **measured: Any
) -> MediaItem:
    """Store an upload already checked by `LibraryUploadForm` (mediakit/uploads.py), tagged from its name and
    the creator's tags. The file is stored before the row: a failed save leaves no row pointing nowhere."""
    shown = Path(upload.name).name[:200]
    upload.name = untrusted.named_by_content(upload.name, upload)
    item = MediaItem(
        workspace=workspace,
        created_by=by,
        kind=kind,
        name=shown,
        tags=clean_tags([*clean_tags(tags), *tags_from_name(shown)]),
        **measured,
    )
    item.file.save(upload.name, upload, save=False)
    with transaction.atomic():
        item.save()
    return item


def set_tags(item: MediaItem, tags: str) -> MediaItem:
    item.tags = clean_tags(tags)
    item.save(update_fields=["tags"])
    return item


def _item(item: MediaItem) -> LibraryItem:
    return LibraryItem(
        id=str(item.pk),
        storage_name=item.file.name,
        kind=item.kind,
        tags=tuple(item.tags),
        width=item.width,
        height=item.height,
        duration=item.duration,
        title=item.name,
    )


def delete_media_item(item: MediaItem, by: Any) -> None:
    """Delete a library item and its file; storyboards that use it keep working until their file is gone
    (a render then says the scene's background is missing)."""
    name = item.file.name
    with transaction.atomic():
        audit.record(item.workspace_id, by, "media.deleted", f"Deleted “{item.name}” from the media library")
        item.delete()
        transaction.on_commit(lambda: item.file.storage.delete(name))
