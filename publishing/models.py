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
