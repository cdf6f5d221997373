"""Caches that must not grow forever, each with a size limit, least-recently-used eviction and hit/miss counts
(`CacheStats`, shown in the admin, which can clear a cache):

- the speech cache (finished narration units, mediakit/speech/cache.py) in the default storage, shared by every
  worker: each file is a `CacheEntry` row (size, last use); past SPEECH_CACHE_MAX_MB the least recently used go.
- downloaded media (logos, music, scene backgrounds a render copies from the storage): when the storage is remote
  (a bucket), each worker machine keeps its copies in MEDIA_CACHE_DIR, so the same logo is not downloaded for every
  render; past MEDIA_CACHE_MAX_MB the copies used longest ago (file times) go. With a local storage there is
  nothing to download and no copy is kept.

Workers record what a job did with a cache once, when its work is done (`record_use`), not per unit.
"""

import contextlib
import hashlib
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from mediakit.speech.cache import CacheUse
from renders.models import CacheEntry, CacheStats

logger = logging.getLogger(__name__)

MB = 1024 * 1024
SPEECH, MEDIA = CacheEntry.Cache.SPEECH, CacheEntry.Cache.MEDIA
# An eviction goes this far below the limit, so the next job does not evict again straight away.
EVICT_TO = 0.9


def limit_of(cache: str) -> int:
    """The cache's size limit in bytes (0: no limit)."""
    megabytes = settings.SPEECH_CACHE_MAX_MB if cache == SPEECH else settings.MEDIA_CACHE_MAX_MB
    return int(megabytes * MB)


def record_use(cache: str, use: CacheUse) -> None:
    """Count one job's hits and misses, mark the entries it read or wrote as just used, then keep the limit."""
    if not (use.hits or use.misses or use.used):
        return
    with transaction.atomic():
        stats, _ = CacheStats.objects.get_or_create(cache=cache)
        CacheStats.objects.filter(pk=stats.pk).update(hits=F("hits") + use.hits, misses=F("misses") + use.misses)
        if cache == SPEECH:
            now = timezone.now()
            CacheEntry.objects.bulk_create(
                [CacheEntry(cache=cache, name=name, size=size, used_at=now) for name, size in use.used.items()],
                update_conflicts=True,
                unique_fields=["name"],
                update_fields=["size", "used_at"],
            )
    enforce_limit(cache)


def enforce_limit(cache: str) -> int:
    """Delete the least recently used entries until the cache is under its limit (to EVICT_TO of it); returns how
    many. A job that wanted an evicted entry makes (or downloads) it again."""
    limit = limit_of(cache)
    total = size_of(cache)
    if not limit or total <= limit:
        return 0
    target, evicted = limit * EVICT_TO, 0
    if cache == SPEECH:
        for entry in CacheEntry.objects.filter(cache=cache).order_by("used_at", "pk").iterator(chunk_size=500):
            if total <= target:
                break
            _delete_stored(entry.name)
            # Only if no job used it meanwhile (a newer used_at): that job's record brings the row back.
            if CacheEntry.objects.filter(pk=entry.pk, used_at=entry.used_at).delete()[0]:
                total -= entry.size
                evicted += 1
    else:
        for path in sorted(_media_copies(), key=lambda path: path.stat().st_mtime):
            if total <= target:
                break
            size = path.stat().st_size
            path.unlink(missing_ok=True)
            total -= size
            evicted += 1
    CacheStats.objects.filter(cache=cache).update(evicted=F("evicted") + evicted)
    logger.info("%s cache over %d MB: %d least recently used entries evicted", cache, limit // MB, evicted)
    return evicted


def size_of(cache: str) -> int:
    if cache == SPEECH:
        return CacheEntry.objects.filter(cache=cache).aggregate(total=Sum("size"))["total"] or 0
    return sum(path.stat().st_size for path in _media_copies())


def entries_of(cache: str) -> int:
    if cache == SPEECH:
        return CacheEntry.objects.filter(cache=cache).count()
    return sum(1 for _ in _media_copies())


def clear(cache: str) -> int:
    """Delete every file of the cache (rows or not: entries written before they were counted too) and start the
    counters again. Downloaded media: this machine's copies. Returns the files deleted."""
    deleted = 0
    if cache == SPEECH:
        for name in {*CacheEntry.objects.filter(cache=cache).values_list("name", flat=True), *_stored_speech()}:
            _delete_stored(name)
            deleted += 1
        CacheEntry.objects.filter(cache=cache).delete()
    else:
        for path in list(_media_copies()):
            path.unlink(missing_ok=True)
            deleted += 1
    CacheStats.objects.update_or_create(
        cache=cache, defaults={"hits": 0, "misses": 0, "evicted": 0, "cleared_at": timezone.now()}
    )
    logger.info("%s cache cleared: %d files deleted", cache, deleted)
    return deleted


def forget_workspace(workspace_id: int) -> None:
    """A workspace is being deleted: its speech cache rows go in the same transaction, its files once committed
    (a rollback keeps both)."""
    folder = f"workspaces/{workspace_id}/speech-cache/"
    stock = f"workspaces/{workspace_id}/stock/"  # downloaded stock footage and its credits (renders/visuals.py)
    CacheEntry.objects.filter(cache=SPEECH, name__startswith=folder).delete()
    transaction.on_commit(lambda: [_delete_stored(name) for name in [*_walk(folder), *_walk(stock)]])


def stats() -> list[dict]:
    """Each cache's figures for the admin: hits, misses, hit rate, evictions, entries, size and limit."""
    counters = {row.cache: row for row in CacheStats.objects.all()}
    rows = []
    for cache, label in CacheEntry.Cache.choices:
        row = counters.get(cache) or CacheStats(cache=cache)
        asked = row.hits + row.misses
        rows.append(
            {
                "cache": cache,
                "label": label,
                "hits": row.hits,
                "misses": row.misses,
                "hit_rate": round(100 * row.hits / asked, 1) if asked else None,
                "evicted": row.evicted,
                "entries": entries_of(cache),
                "bytes": size_of(cache),
                "limit": limit_of(cache),
                "cleared_at": row.cleared_at,
            }
        )
    return rows


# --- Downloaded media ------------------------------------------------------------------------------------------


def media_cache_on() -> bool:
    """Only a remote storage is worth a local copy: a local one is read in place."""
    if not settings.MEDIA_CACHE_MAX_MB:
        return False
    try:
        default_storage.path("probe")
    except NotImplementedError:
        return True
    return False


def copy_media(name: str, target: Path, use: CacheUse) -> None:
    """Copy the stored file `name` to `target`, through this machine's media cache when it is on. Stored media is
    named after its content, so a copy under the same name is the same file."""
    if not media_cache_on():
        with default_storage.open(name, "rb") as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy)
        return
    local = Path(settings.MEDIA_CACHE_DIR) / hashlib.sha256(name.encode()).hexdigest()
    if local.is_file():
        os.utime(local)  # its last use: eviction goes by file time
        use.hits += 1
    else:
        use.misses += 1
        local.parent.mkdir(parents=True, exist_ok=True)
        part = local.with_name(f"{local.name}.{os.getpid()}-{threading.get_ident()}.part")
        with default_storage.open(name, "rb") as source, part.open("wb") as copy:
            shutil.copyfileobj(source, copy)
        os.replace(part, local)  # whole or not at all: another worker may read it at once
    use.used[name] = local.stat().st_size
    shutil.copyfile(local, target)


def _media_copies() -> Iterator[Path]:
    folder = Path(settings.MEDIA_CACHE_DIR)
    if folder.is_dir():
        yield from (path for path in folder.iterdir() if path.is_file() and not path.name.endswith(".part"))


# --- The speech cache's files in the storage ---------------------------------------------------------------------


def _stored_speech() -> Iterator[str]:  # every workspace's
    for workspace in _listdir("workspaces/")[0]:
        yield from _walk(f"workspaces/{workspace}/speech-cache/")


def _walk(folder: str) -> Iterator[str]:
    folders, files = _listdir(folder)
    for name in files:
        yield f"{folder}{name}"
    for sub in folders:
        yield from _walk(f"{folder}{sub}/")


def _listdir(folder: str) -> tuple[list[str], list[str]]:
    try:
        return default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return [], []


def _delete_stored(name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        default_storage.delete(name)
