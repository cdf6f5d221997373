"""Caches that do not grow forever: the speech cache's entries are counted (hits, misses) and, past
SPEECH_CACHE_MAX_MB, the least recently used are deleted; media downloaded from a remote storage is copied once per
machine, with its own limit; staff see the figures in the admin and can clear a cache."""

import os
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.urls import reverse
from django.utils import timezone

from mediakit.pipeline import RenderContext
from mediakit.speech.cache import CacheUse
from mediakit.text.script import parse_text
from renders import caches
from renders.media import fetch_media
from renders.models import CacheEntry, CacheStats, RenderJob
from renders.options import RenderOptions
from renders.services import create_job, run_job
from tests.factories import RenderJobFactory, workspace_of

pytestmark = pytest.mark.django_db
KB = 1024


class BucketLikeStorage(Storage):
    """A storage with no local paths, as a bucket is (files kept in a folder behind it): media must be downloaded
    before ffmpeg can read it."""

    def __init__(self, location: str):
        self.disk = FileSystemStorage(location=location)

    def _open(self, name, mode="rb"):
        return self.disk.open(name, mode)

    def _save(self, name, content):
        return self.disk.save(name, content)

    def exists(self, name):
        return self.disk.exists(name)

    def delete(self, name):
        self.disk.delete(name)

    def size(self, name):
        return self.disk.size(name)

    def listdir(self, path):
        return self.disk.listdir(path)


def stats(cache=CacheEntry.Cache.SPEECH) -> CacheStats:
    return CacheStats.objects.get(cache=cache)


def cached_unit(name: str, size: int, used_minutes_ago: int) -> CacheEntry:
    default_storage.save(name, ContentFile(b"x" * size))
    used_at = timezone.now() - timedelta(minutes=used_minutes_ago)
    return CacheEntry.objects.create(cache="speech", name=name, size=size, used_at=used_at)


def test_a_render_counts_its_misses_then_a_second_render_hits_every_unit(owner, settings):
    settings.RENDER_VERIFY = False
    workspace = workspace_of(owner)
    script = parse_text("Host: The first sentence is here. And a second one follows it.")
    first = create_job(workspace=workspace, blocks=script, title="One", kind=RenderJob.Kind.AUDIO)
    run_job(first.pk)
    units = CacheEntry.objects.filter(name__startswith=f"workspaces/{workspace.pk}/speech-cache/")
    assert units.count() >= 1 and all(unit.size > 0 for unit in units)
    assert (stats().hits, stats().misses) == (0, units.count())
    used_before = max(unit.used_at for unit in units)

    second = create_job(workspace=workspace, blocks=script, title="Two", kind=RenderJob.Kind.AUDIO)
    run_job(second.pk)
    assert (stats().hits, stats().misses) == (units.count(), units.count())
    assert all(unit.used_at > used_before for unit in units.all())  # just used: last in line for eviction


def test_past_the_limit_the_least_recently_used_units_go_first(settings):
    settings.SPEECH_CACHE_MAX_MB = 100 * KB / caches.MB  # 100 KB
    oldest = cached_unit("workspaces/1/speech-cache/aa/oldest.npz", 10 * KB, used_minutes_ago=30)
    older = cached_unit("workspaces/1/speech-cache/bb/older.npz", 30 * KB, used_minutes_ago=20)
    recent = cached_unit("workspaces/2/speech-cache/cc/recent.npz", 65 * KB, used_minutes_ago=1)
    CacheStats.objects.create(cache="speech")

    assert caches.enforce_limit("speech") == 2  # 105 KB, to at most 90 KB: oldest first, until it fits
    assert list(CacheEntry.objects.values_list("name", flat=True)) == [recent.name]
    assert not default_storage.exists(oldest.name) and not default_storage.exists(older.name)
    assert default_storage.exists(recent.name)
    assert stats().evicted == 2
    assert caches.enforce_limit("speech") == 0  # under the limit: nothing to do


def test_a_unit_used_again_is_no_longer_the_oldest(settings):
    settings.SPEECH_CACHE_MAX_MB = 100 * KB / caches.MB
    first = cached_unit("workspaces/1/speech-cache/aa/first.npz", 40 * KB, used_minutes_ago=30)
    second = cached_unit("workspaces/1/speech-cache/bb/second.npz", 40 * KB, used_minutes_ago=20)
    caches.record_use("speech", CacheUse(hits=1, used={first.name: first.size}))  # under the limit still
    cached_unit("workspaces/1/speech-cache/cc/third.npz", 40 * KB, used_minutes_ago=10)

    caches.enforce_limit("speech")
    assert not CacheEntry.objects.filter(name=second.name).exists()
    assert CacheEntry.objects.filter(name=first.name).exists()


def test_clearing_deletes_every_file_even_those_written_before_they_were_counted(settings):
    counted = cached_unit("workspaces/1/speech-cache/aa/counted.npz", KB, used_minutes_ago=1)
    uncounted = default_storage.save("workspaces/3/speech-cache/dd/uncounted.npz", ContentFile(b"old"))
    output = default_storage.save("workspaces/3/jobs/x/video.mp4", ContentFile(b"not a cache"))
    CacheStats.objects.create(cache="speech", hits=5, misses=2)

    assert caches.clear("speech") == 2
    assert not default_storage.exists(counted.name) and not default_storage.exists(uncounted)
    assert default_storage.exists(output)
    assert not CacheEntry.objects.exists()
    assert (stats().hits, stats().misses, stats().cleared_at is not None) == (0, 0, True)


def test_staff_see_each_cache_and_clear_one_from_the_admin(client, settings):
    get_user_model().objects.create_superuser("staff@example.com", "staff@example.com", "a-staff-pass-phrase")
    client.login(email="staff@example.com", password="a-staff-pass-phrase")
    cached_unit("workspaces/1/speech-cache/aa/unit.npz", 2 * KB, used_minutes_ago=1)
    CacheStats.objects.create(cache="speech", hits=3, misses=1)

    page = client.get(reverse("admin:renders_cachestats_changelist")).content.decode()
    assert "Speech cache" in page and "Downloaded media" in page and "75.0 %" in page and "2.0\xa0KB" in page

    speech = CacheStats.objects.get(cache="speech")
    answer = client.post(
        reverse("admin:renders_cachestats_changelist"),
        {"action": "clear_caches", "_selected_action": [speech.pk]},
        follow=True,
    )
    assert "Speech cache cleared: 1 file(s) deleted." in answer.content.decode()
    assert not CacheEntry.objects.exists()


@pytest.fixture
def bucket_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.BucketLikeStorage", "OPTIONS": {"location": str(tmp_path / "bucket")}},
    }
    settings.MEDIA_CACHE_DIR = tmp_path / "media-cache"


def test_media_from_a_remote_storage_is_downloaded_once_per_machine(owner, bucket_storage, tmp_path):
    workspace = workspace_of(owner)
    logo = default_storage.save(f"workspaces/{workspace.pk}/campaigns/logo-abc.png", ContentFile(b"PNG logo bytes"))
    job = RenderJobFactory(workspace=workspace)
    for attempt in (1, 2):
        ctx = RenderContext(blocks=[], voices={}, workdir=tmp_path / f"work-{attempt}")
        fetch_media(job, RenderOptions(logo=logo), ctx)
        assert ctx.logo.read_bytes() == b"PNG logo bytes"
    media = stats(CacheEntry.Cache.MEDIA)
    assert (media.hits, media.misses) == (1, 1)
    assert caches.entries_of("media") == 1


def test_downloaded_media_past_its_limit_goes_oldest_first(bucket_storage, settings, tmp_path):
    settings.MEDIA_CACHE_MAX_MB = 100 * KB / caches.MB
    use = CacheUse()
    names = [default_storage.save(f"workspaces/1/m/{n}.bin", ContentFile(b"x" * 40 * KB)) for n in range(3)]
    for age, name in zip((300, 200, 100), names, strict=True):
        caches.copy_media(name, tmp_path / "copy", use)
        copy = settings.MEDIA_CACHE_DIR / os.listdir(settings.MEDIA_CACHE_DIR)[-1]
        os.utime(copy, (time.time() - age, time.time() - age))  # written long ago, oldest first
    caches.record_use("media", use)
    assert caches.entries_of("media") == 2 and stats("media").evicted == 1


def test_with_a_local_storage_media_is_read_in_place_and_never_copied_to_a_cache(owner, settings, tmp_path):
    settings.MEDIA_CACHE_DIR = tmp_path / "media-cache"
    name = default_storage.save("workspaces/1/m/music.mp3", ContentFile(b"music"))
    use = CacheUse()
    caches.copy_media(name, tmp_path / "copy", use)
    assert (tmp_path / "copy").read_bytes() == b"music"
    assert (use.hits, use.misses) == (0, 0) and not settings.MEDIA_CACHE_DIR.exists()


def test_the_figures_for_each_cache(settings):
    cached_unit("workspaces/1/speech-cache/aa/unit.npz", 3 * KB, used_minutes_ago=1)
    CacheStats.objects.create(cache="speech", hits=1, misses=3)
    speech, media = caches.stats()
    assert speech["cache"] == "speech" and speech["hit_rate"] == 25.0 and speech["entries"] == 1
    assert speech["bytes"] == 3 * KB and speech["limit"] == settings.SPEECH_CACHE_MAX_MB * caches.MB
    assert media["cache"] == "media" and media["hit_rate"] is None


def test_a_deleted_workspaces_narration_leaves_the_cache_once_the_deletion_is_committed(
    owner, outsider, django_capture_on_commit_callbacks
):
    mine, theirs = workspace_of(owner), workspace_of(outsider)
    gone = cached_unit(f"workspaces/{mine.pk}/speech-cache/aa/unit.npz", KB, used_minutes_ago=1)
    kept = cached_unit(f"workspaces/{theirs.pk}/speech-cache/aa/unit.npz", KB, used_minutes_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        mine.delete()
        assert default_storage.exists(gone.name)  # not before the deletion is committed
    assert not default_storage.exists(gone.name) and not CacheEntry.objects.filter(name=gone.name).exists()
    assert default_storage.exists(kept.name) and CacheEntry.objects.filter(name=kept.name).exists()
