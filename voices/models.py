from django.db import models

from accounts.models import Workspace


def sample_upload_to(voice: "Voice", filename: str) -> str:
    # Workspace first in the path, like render outputs: storage rules can follow the tenant.
    return f"workspaces/{voice.workspace_id}/voices/{filename}"


class Voice(models.Model):
    """A speaker a script can name: an engine, the engine's voice id and its settings."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="voices")
    name = models.CharField(max_length=80)
    engine = models.CharField(max_length=30, default="piper")
    engine_voice_id = models.CharField(max_length=120, blank=True)
    # The vendor voice this row cloned (ours: usable by this workspace, deleted at the vendor with the row).
    vendor_clone_id = models.CharField(max_length=120, blank=True)
    settings = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, default="en")
    # A reference recording (checked by mediakit.speech.samples.validate_sample before it is stored).
    sample = models.FileField(upload_to=sample_upload_to, max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="voice_name_unique_per_workspace")]

    def __str__(self) -> str:
        return f"{self.name} ({self.engine})"
