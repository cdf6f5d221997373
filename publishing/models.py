"""A campaign's series (a batch of videos from one upload) and its rows, each a video on its way to publishing:
script, render, review."""

import uuid

from django.conf import settings
from django.db import models

from accounts.models import Workspace
from renders.models import RenderJob
from scripts.models import Campaign, Script


class Series(models.Model):
    """One upload (CSV, JSON or the API) of rows for a campaign; its rows render in order, within the plan's
    concurrent jobs."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="series")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="series")
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.name


class SeriesRow(models.Model):
    """One row of the upload: what the creator asked for (topic or script, title, description, tags, language,
    voices, publish time), the script it became, its current render and its review."""

    class Status(models.TextChoices):
        INVALID = "invalid", "Refused"  # the row's input was refused; `error` says why (it never goes on)
        DRAFTING = "drafting", "Drafting"  # the AI writer drafts its script from the topic (a fast-lane task)
        WAITING = "waiting", "Waiting"  # for a free render slot
        NEEDS_SCRIPT = "needs_script", "Outline to write"  # an offline outline: the creator writes its [[parts]]
        RENDERING = "rendering", "Rendering"
        FAILED = "failed", "Failed"  # render failed or refused; `error` says why
        REVIEW = "review", "Awaiting review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"

    # What a creator may send on again (after writing the outline, fixing the script, or a failure).
    RENDERABLE_AGAIN = (Status.NEEDS_SCRIPT, Status.FAILED, Status.CHANGES_REQUESTED)

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()  # as the upload numbers it: a CSV's spreadsheet row, a JSON item from 1
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    error = models.TextField(blank=True)

    # The row as asked (kept for an invalid row too, cut to the field sizes, so the creator recognises it).
    topic = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=20, blank=True)
    voices = models.JSONField(default=dict, blank=True)  # speaker in the script -> voice name in the library
    publish_at = models.DateTimeField(null=True, blank=True)
    # The platform's "altered or synthetic content" label: on unless the row says otherwise.
    ai_disclosure = models.BooleanField(default=True)

    script = models.ForeignKey(Script, on_delete=models.SET_NULL, null=True, blank=True, related_name="series_rows")
    job = models.ForeignKey(RenderJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="series_rows")

    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["series", "number"]
        constraints = [models.UniqueConstraint(fields=["series", "number"], name="one_series_row_per_number")]
        indexes = [models.Index(fields=["series", "status"])]

    def __str__(self) -> str:
        return f"{self.series_id} row {self.number} [{self.status}]"

    @property
    def can_render_again(self) -> bool:
        return self.status in self.RENDERABLE_AGAIN

    @property
    def label(self) -> str:
        return self.title or self.topic or f"Row {self.number}"


class Connection(models.Model):
    """Where a workspace publishes: a YouTube channel (OAuth tokens kept encrypted with accounts.secrets) or a
    signed-webhook target (the customer's own automation for TikTok, Instagram, a CMS)."""

    class Kind(models.TextChoices):
        YOUTUBE = "youtube", "YouTube"
        WEBHOOK = "webhook", "Webhook"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connections")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=200)  # the channel's title, or the name given to a webhook target
    account_id = models.CharField(max_length=100, blank=True)  # the YouTube channel id
    # Encrypted (accounts.secrets): never stored in the clear, unreadable without SECRET_KEY.
    refresh_token = models.TextField(blank=True)
    access_token = models.TextField(blank=True)
    token_expiry = models.DateTimeField(null=True, blank=True)  # naive UTC in google-auth; stored aware
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_secret = models.TextField(blank=True)  # encrypted too: the receiver checks signatures with it
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)  # kept for the history of its publications

    class Meta:
        ordering = ["kind", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"

    @property
    def active(self) -> bool:
        return self.disconnected_at is None


class Publication(models.Model):
    """One finished video going out to one connection at its time; a failure keeps the platform's reason and
    waits for a retry (never dropped)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHING = "publishing", "Publishing"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"

    class Privacy(models.TextChoices):
        PUBLIC = "public", "Public"
        UNLISTED = "unlisted", "Unlisted"
        PRIVATE = "private", "Private"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="publications")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="publications")
    job = models.ForeignKey(RenderJob, on_delete=models.CASCADE, related_name="publications")
    row = models.ForeignKey(SeriesRow, on_delete=models.SET_NULL, null=True, blank=True, related_name="publications")
    title = models.CharField(max_length=100)  # YouTube's limit
    description = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    privacy = models.CharField(max_length=10, choices=Privacy.choices, default=Privacy.PUBLIC)
    ai_disclosure = models.BooleanField(default=True)  # YouTube's status.containsSyntheticMedia
    publish_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)  # the platform's reason, in its words
    remote_id = models.CharField(max_length=100, blank=True)  # the YouTube video id
    remote_url = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The last figures fetch: when it was tried, and Google's reason when it failed (tried again next round).
    metrics_checked_at = models.DateTimeField(null=True, blank=True)
    metrics_error = models.TextField(blank=True)

    class Meta:
        ordering = ["publish_at", "pk"]
        indexes = [models.Index(fields=["status", "publish_at"])]

    def __str__(self) -> str:
        return f"{self.title} → {self.connection_id} [{self.status}]"


class VideoMetrics(models.Model):
    """One snapshot of a published video's figures: the time series behind the campaign's table and chart."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="metrics")
    fetched_at = models.DateTimeField()
    views = models.PositiveBigIntegerField(default=0)
    likes = models.PositiveBigIntegerField(null=True, blank=True)  # None: hidden by the channel
    comments = models.PositiveBigIntegerField(null=True, blank=True)  # None: comments off
    # YouTube Analytics, since publication (None: not fetched, e.g. a channel connected before the scope existed).
    watch_minutes = models.FloatField(null=True, blank=True)
    average_view_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["publication", "fetched_at", "pk"]
        indexes = [models.Index(fields=["publication", "fetched_at"])]

    def __str__(self) -> str:
        return f"{self.publication_id} @ {self.fetched_at:%Y-%m-%d %H:%M}: {self.views} views"
