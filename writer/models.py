from django.db import models

from accounts.models import Workspace


class WorkspaceWriter(models.Model):
    """The language model a workspace writes with, where this deployment offers several (the last one chosen)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="writer_choice")
    provider = models.CharField(max_length=20)  # a key of mediakit.writer.providers.PROVIDERS
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.workspace_id}: {self.provider}"
