from django.conf import settings
from django.db import models

from accounts.models import Workspace


class WorkspaceWriter(models.Model):
    """The language model a workspace writes with, where this deployment offers several (the last one chosen)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="writer_choice")
    provider = models.CharField(max_length=20)  # a key of mediakit.writer.providers.PROVIDERS
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.workspace_id}: {self.provider}"


class Draft(models.Model):
    """A draft the API writes in the fast lane while the client polls it. Kept a day (DRAFT_KEEP): the creator
    saves the script they want, the draft itself is only the model's answer."""

    QUEUED, WRITING, DONE, FAILED = "queued", "writing", "done", "failed"
    STATUSES = [(QUEUED, "queued"), (WRITING, "writing"), (DONE, "done"), (FAILED, "failed")]

    public_id = models.UUIDField(unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="writer_drafts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    provider = models.CharField(max_length=20)
    model = models.CharField(max_length=100, blank=True)
    brief = models.JSONField()  # the checked answers of DraftInputSerializer, to rebuild the brief in the task
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    words = models.PositiveIntegerField(default=0)
    repaired = models.BooleanField(default=False)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=40, blank=True)  # e.g. writer_auth, writer_busy, writer_unreadable
    error = models.TextField(blank=True)  # in plain words
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"draft {self.public_id} ({self.status})"
