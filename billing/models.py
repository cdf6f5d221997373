from django.conf import settings
from django.db import models, transaction

from accounts import audit
from accounts.models import Workspace

# Free is what every workspace without a plan record gets; the data migration seeds the same values.
FREE_PLAN_DEFAULTS = {
    "name": "Free",
    "monthly_price_cents": 0,
    "included_narration_seconds": 600,
    "included_video_renders": 3,
    "max_video_height": 720,
    "max_voices": 2,
    "max_members": 3,
    "api_access": False,
    "concurrent_jobs": 1,
    "watermark": True,
    "output_retention_days": 7,
    "sort_order": 0,
}


class PlanQuerySet(models.QuerySet):
    def free(self) -> "Plan":
        plan, _ = self.get_or_create(slug=Plan.FREE, defaults=FREE_PLAN_DEFAULTS)
        return plan


class Plan(models.Model):
    """What a workspace may use each billing period. Staff edit plans in the admin."""

    FREE = "free"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)
    monthly_price_cents = models.PositiveIntegerField(default=0, help_text="Shown on plan cards; Stripe bills.")
    included_narration_seconds = models.PositiveIntegerField()
    included_video_renders = models.PositiveIntegerField()
    max_video_height = models.PositiveIntegerField(help_text="Highest video resolution, e.g. 720 or 1080.")
    max_voices = models.PositiveSmallIntegerField()
    max_members = models.PositiveSmallIntegerField(
        default=3, help_text="Seats: members plus invitations waiting for an answer."
    )
    api_access = models.BooleanField(default=False)
    concurrent_jobs = models.PositiveSmallIntegerField(default=1)
    watermark = models.BooleanField(default=False)
    output_retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Days a finished render's files are kept (from its end); empty: forever. Creators can keep a video.",
    )
    max_llm_tokens = models.PositiveIntegerField(
        default=200_000,
        help_text="Language-model tokens (prompts and answers) per period for the writer; 0 turns it off.",
    )
    max_ai_video_seconds = models.PositiveIntegerField(
        default=60,
        help_text="Seconds of AI video (text to video, talking avatars) per period; 0 turns it off.",
    )
    stripe_price_id = models.CharField(
        max_length=100, blank=True, help_text="Overrides the STRIPE_PRICE_<SLUG> environment setting."
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def price_id(self) -> str:
        return self.stripe_price_id or settings.STRIPE_PRICE_IDS.get(self.slug, "")

    @property
    def is_free(self) -> bool:
        return self.slug == self.FREE

    @property
    def monthly_price(self) -> str:
        return f"{self.monthly_price_cents / 100:g}"  # 19 or 19.5


class WorkspacePlan(models.Model):
    """A workspace's plan state. Its row is also the lock that serialises quota decisions."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        TRIALING = "trialing"
        PAST_DUE = "past_due", "Past due"
        CANCELED = "canceled"
        INCOMPLETE = "incomplete", "Not paid"  # the first payment has not gone through: Free until it does

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="plan_state")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    grace_until = models.DateTimeField(null=True, blank=True, help_text="Past due: the plan works until then.")
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    # Plain strings, not foreign keys into dj-stripe's tables: our state never waits on a sync.
    stripe_customer_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_event_created = models.DateTimeField(
        null=True, blank=True, help_text="Stripe's time of the last subscription event applied; older ones are skipped."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.workspace}: {self.plan} ({self.status})"

    def save(self, *args, changed_by=None, **kwargs) -> None:
        """Saves the row; a change of plan or status (Stripe's events, staff in the admin) goes into the
        workspace's audit log, by `changed_by` (None: OmniVibe itself, for Stripe's events)."""
        before, after = getattr(self, "_as_saved", None), self._plan_and_status()
        with transaction.atomic():
            super().save(*args, **kwargs)
            # A workspace's first row on Free is no change: every workspace starts there.
            if after is not None and before != after and (before is not None or not self.plan.is_free):
                now = f"{self.plan.name} ({self.get_status_display().lower()})"
                was = f" (was {self._describe(*before)})" if before else ""
                audit.record(self.workspace_id, changed_by, "plan.changed", f"Plan: {now}{was}")
        self._as_saved = after

    @classmethod
    def from_db(cls, db, field_names, values):
        row = super().from_db(db, field_names, values)
        row._as_saved = row._plan_and_status()
        return row

    def _plan_and_status(self) -> tuple[int | None, str] | None:
        return None if {"plan", "status"} & self.get_deferred_fields() else (self.plan_id, self.status)

    @classmethod
    def _describe(cls, plan_id: int, status: str) -> str:
        return f"{Plan.objects.get(pk=plan_id).name} ({cls.Status(status).label.lower()})"


class Reservation(models.Model):
    """Quota held for an accepted job until it ends: settled into the ledger, or released."""

    class Status(models.TextChoices):
        HELD = "held"
        SETTLED = "settled"
        RELEASED = "released"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="reservations")
    job = models.OneToOneField("renders.RenderJob", on_delete=models.CASCADE, related_name="reservation")
    narration_seconds = models.DecimalField(max_digits=10, decimal_places=2)
    video_renders = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.narration_seconds}s, {self.video_renders} videos ({self.status})"


class UsageEntry(models.Model):
    """The usage ledger: one row per delivered job, plus staff adjustments (negative = credit)."""

    class Kind(models.TextChoices):
        RENDER = "render"
        ADJUSTMENT = "adjustment"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="usage_entries")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RENDER)
    job = models.OneToOneField(
        "renders.RenderJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="usage"
    )
    narration_seconds = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    video_renders = models.IntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "usage entries"

    def __str__(self) -> str:
        return f"{self.workspace}: {self.narration_seconds}s, {self.video_renders} videos"


class StripeEvent(models.Model):
    """Every verified webhook event once, by Stripe's id: a replay finds the row and changes nothing."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class LLMUsage(models.Model):
    """Tokens a language model spent for a workspace: one row per draft or rewrite, failed ones included (the
    provider bills them). The plan's `max_llm_tokens` is checked against this period's rows."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="llm_usage")
    provider = models.CharField(max_length=20)
    model = models.CharField(max_length=100)
    purpose = models.CharField(max_length=20)  # draft, rewrite
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "LLM usage"
        verbose_name_plural = "LLM usage"

    def __str__(self) -> str:
        return f"{self.workspace_id} {self.purpose} {self.input_tokens}+{self.output_tokens} ({self.model})"


class AIVideoUsage(models.Model):
    """Seconds of video an AI provider made for a workspace: one row per provider and render, counted once the
    provider finished (it bills them even when the download then fails). The plan's `max_ai_video_seconds`
    is checked against this period's rows."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="ai_video_usage")
    job = models.ForeignKey("renders.RenderJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    provider = models.CharField(max_length=20)
    seconds = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "AI video usage"
        verbose_name_plural = "AI video usage"

    def __str__(self) -> str:
        return f"{self.workspace_id} {self.provider} {self.seconds}s"
