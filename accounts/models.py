"""The tenant (`Workspace`) and who belongs to it (`Membership`, with a role).

The tables keep the names they had in the `studio` app (moved here without touching the data).
"""

from django.conf import settings
from django.db import models

from accounts.validators import LANGUAGE_TAG


class Workspace(models.Model):
    """The tenant: every object that holds customer data belongs to exactly one workspace."""

    name = models.CharField(max_length=120)
    # New scripts start in this language (a tag like "en" or "de-DE"); each script can change its own.
    default_language = models.CharField(max_length=10, default="en", validators=[LANGUAGE_TAG])
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="workspaces")

    class Meta:
        db_table = "studio_workspace"

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    # What each role may do is one table: accounts/roles.py.
    class Role(models.TextChoices):
        OWNER = "owner"
        ADMIN = "admin"
        EDITOR = "editor"
        VIEWER = "viewer"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "studio_membership"
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"


class Invitation(models.Model):
    """An e-mailed invitation to join a workspace with a role: single-use, expiring, revocable. Only a hash of
    its token is stored; the link in the mail carries the token itself."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.EDITOR)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace} ({self.role})"

    @property
    def is_pending(self) -> bool:
        return not (self.accepted_at or self.declined_at or self.revoked_at)


class AuditEntry(models.Model):
    """One line of a workspace's audit log: who did what, when (accounts/audit.py writes and prunes it)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_email = models.EmailField(blank=True)  # kept when the account is deleted
    action = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="audit_newest_first")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email or 'OmniVibe'}: {self.summary}"
