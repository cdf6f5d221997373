import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Workspace
from renders.options import RenderOptions
from scripts.models import Script


def output_upload_to(output: "RenderOutput", filename: str) -> str:
    # Workspace first in the path: storage rules (S3 prefixes, backups) can follow the tenant.
    return f"workspaces/{output.job.workspace_id}/jobs/{output.job.public_id}/{filename}"


class RenderJob(models.Model):
    class Kind(models.TextChoices):
        AUDIO = "audio", "Audio (narration + captions)"
        VIDEO = "video", "Video (narration + captions + MP4)"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="render_jobs")
    script = models.ForeignKey(Script, on_delete=models.SET_NULL, null=True, blank=True, related_name="render_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.VIDEO)
    # What to render, frozen at submission: later script edits never change a queued job.
    blocks = models.JSONField()
    options = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=20, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    report = models.JSONField(default=dict, blank=True)
    # The creator's edits of this job's storyboard output; its scene times belong to this job's narration.
    edited_storyboard = models.JSONField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now)  # last (re)queued: the sweep's grace runs from here
    started_at = models.DateTimeField(null=True, blank=True)  # the first start; a later attempt keeps it
    finished_at = models.DateTimeField(null=True, blank=True)

    # Worker side (services.run_job, worker.sweep_jobs): starts so far (ours, not the broker's), the running
    # worker's last sign of life and name, and what happened to an earlier attempt, for the job's page.
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    notice = models.CharField(max_length=200, blank=True)

    # Retention (renders/retention.py): the plan's days run from finished_at unless the creator keeps the job;
    # once they have run out the files are deleted and the row says when.
    kept_at = models.DateTimeField(null=True, blank=True)
    files_expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.title} [{self.kind}, {self.status}]"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def render_options(self) -> RenderOptions:
        """The options frozen at submission, typed (raises InvalidRenderOptions for a row that cannot be read)."""
        return RenderOptions.from_json(self.options)

    @classmethod
    def lost_worker(cls) -> models.Q:
        """Running jobs whose worker stopped beating: killed, out of memory, its machine gone."""
        cutoff = timezone.now() - timedelta(seconds=settings.RENDER_HEARTBEAT_TIMEOUT)
        return models.Q(status=cls.Status.RUNNING, heartbeat_at__lt=cutoff)


class RenderOutput(models.Model):
    class Kind(models.TextChoices):
        WAV = "wav", "Narration (WAV)"
        MP3 = "mp3", "Narration (MP3)"
        SRT = "srt", "Captions (SRT)"
        VTT = "vtt", "Captions (WebVTT)"
        MP4 = "mp4", "Video (MP4)"
        THUMBNAIL = "thumbnail", "Thumbnail (JPEG)"
        STORYBOARD = "storyboard", "Storyboard (JSON)"
        JSON = "json", "Captions (JSON, word timings)"

    job = models.ForeignKey(RenderJob, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=output_upload_to, max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "kind"], name="one_output_per_kind")]
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.kind}"


class CacheEntry(models.Model):
    """One file of a cache kept in the default storage (the speech cache), with its size and last use: the cache's
    size limit evicts the least recently used first (renders/caches.py)."""

    class Cache(models.TextChoices):
        SPEECH = "speech", "Speech cache"
        MEDIA = "media", "Downloaded media"

    cache = models.CharField(max_length=10, choices=Cache.choices)
    name = models.CharField(max_length=300, unique=True)  # the file's name in the storage
    size = models.PositiveBigIntegerField()
    used_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["cache", "used_at"])]
        verbose_name_plural = "cache entries"

    def __str__(self) -> str:
        return self.name


class CacheStats(models.Model):
    """Hits and misses of one cache since it was last cleared, written by the workers, read by the admin."""

    cache = models.CharField(max_length=10, choices=CacheEntry.Cache.choices, unique=True)
    hits = models.PositiveBigIntegerField(default=0)
    misses = models.PositiveBigIntegerField(default=0)
    evicted = models.PositiveBigIntegerField(default=0)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "cache statistics"

    def __str__(self) -> str:
        return self.get_cache_display()


def library_upload_to(item: "MediaItem", filename: str) -> str:
    return f"workspaces/{item.workspace_id}/library/{uuid.uuid4().hex}/{filename}"


class MediaItem(models.Model):
    """A picture or clip of the workspace's media library: uploaded once (checked as every upload), tagged from
    its file name and by the creator, offered to every scene whose words match its tags (renders/visuals.py)."""

    class Kind(models.TextChoices):
        PHOTO = "photo"
        VIDEO = "video"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="media_items")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    file = models.FileField(upload_to=library_upload_to, max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=200)  # the file name the creator uploaded, for display only
    tags = models.JSONField(default=list, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    duration = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return self.name
