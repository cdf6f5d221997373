from django.db import models

from studio.models import Workspace


class UsageEntry(models.Model):
    """The usage ledger: one row per delivered job (quota and Stripe come with the billing issue)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="usage_entries")
    job = models.OneToOneField(
        "renders.RenderJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="usage"
    )
    narration_seconds = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    video_renders = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "usage entries"

    def __str__(self) -> str:
        return f"{self.workspace}: {self.narration_seconds}s, {self.video_renders} videos"
