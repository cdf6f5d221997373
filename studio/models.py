from django.conf import settings
from django.db import models


class Workspace(models.Model):
    """The tenant: every object that holds customer data belongs to exactly one workspace."""

    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="workspaces")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner"
        MEMBER = "member"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"


class Campaign(models.Model):
    """A named series of videos sharing defaults (aspect ratio now; brand kit in a later issue)."""

    class Aspect(models.TextChoices):
        PORTRAIT = "9:16", "9:16 (Shorts, Reels, TikTok)"
        LANDSCAPE = "16:9", "16:9 (YouTube)"
        SQUARE = "1:1", "1:1 (Feed)"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=120)
    aspect = models.CharField(max_length=5, choices=Aspect.choices, default=Aspect.PORTRAIT)
    background_color = models.CharField(max_length=7, default="#1e293b")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Script(models.Model):
    """What a creator writes: the text format of PRODUCT.md (`Speaker: line`, `[pause 1s]`)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="scripts")
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="scripts")
    title = models.CharField(max_length=200)
    language = models.CharField(max_length=10, default="en")
    body = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title
