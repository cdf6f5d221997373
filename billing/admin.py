from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template.defaultfilters import pluralize

from billing.models import AIVideoUsage, LLMUsage, Plan, Reservation, StripeEvent, UsageEntry, WorkspacePlan
from billing.quota import adjust
from billing.stripe_events import queue_stripe_event


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "monthly_price_cents",
        "included_narration_seconds",
        "included_video_renders",
        "max_video_height",
        "max_members",
        "max_llm_tokens",
        "max_ai_video_seconds",
        "concurrent_jobs",
        "api_access",
        "output_retention_days",
        "stripe_price_id",
    ]
    list_editable = ["stripe_price_id"]


class UsageEntryInline(admin.TabularInline):
    """The workspace's ledger, read-only: credits are added from the usage entries page."""

    model = UsageEntry
    fk_name = "workspace"
    fields = ["created_at", "kind", "job", "narration_seconds", "video_renders", "note", "created_by"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


@admin.register(WorkspacePlan)
class WorkspacePlanAdmin(admin.ModelAdmin):
    """Staff assign plans here (e.g. Business without Stripe); Stripe-driven fields are filled by webhooks."""

    list_display = ["workspace", "plan", "status", "grace_until", "current_period_end", "stripe_customer_id"]
    list_filter = ["plan", "status"]
    search_fields = ["workspace__name", "stripe_customer_id", "stripe_subscription_id"]
    raw_id_fields = ["workspace"]

    def save_model(self, request, obj: WorkspacePlan, form, change: bool) -> None:
        obj.save(changed_by=request.user)  # the audit log names the staff member


@admin.register(UsageEntry)
class UsageEntryAdmin(admin.ModelAdmin):
    """Ledger rows are history: staff add adjustments (negative figures are credits) and never edit rows."""

    list_display = ["workspace", "kind", "narration_seconds", "video_renders", "job", "note", "created_at"]
    list_filter = ["kind"]
    search_fields = ["workspace__name", "note"]
    raw_id_fields = ["workspace", "job"]
    fields = ["workspace", "narration_seconds", "video_renders", "note"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.clean_note = _require_note
        return form

    def save_model(self, request, obj: UsageEntry, form, change: bool) -> None:
        saved = adjust(
            obj.workspace,
            narration_seconds=obj.narration_seconds,
            video_renders=obj.video_renders,
            note=obj.note,
            staff=request.user,
        )
        obj.pk = saved.pk


def _require_note(form) -> str:
    note = form.cleaned_data.get("note", "").strip()
    if not note:
        raise ValidationError("Say why (the customer sees this note in their history).")
    return note


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    list_display = ["job", "workspace", "narration_seconds", "video_renders", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["workspace", "job"]


@admin.register(LLMUsage)
class LLMUsageAdmin(admin.ModelAdmin):
    list_display = ["workspace", "purpose", "provider", "model", "input_tokens", "output_tokens", "created_at"]
    list_filter = ["provider", "purpose"]
    raw_id_fields = ["workspace", "created_by"]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "received_at", "processed_at", "error"]
    search_fields = ["event_id", "type"]
    readonly_fields = ["event_id", "type", "payload", "received_at", "processed_at", "error"]
    actions = ["process_again"]

    @admin.action(description="Process again")
    def process_again(self, request, queryset) -> None:
        # Only unprocessed events: one already applied must not move the plan a second time.
        pending = list(queryset.filter(processed_at__isnull=True))
        for stored in pending:
            queue_stripe_event(stored)
        skipped = queryset.count() - len(pending)
        self.message_user(
            request,
            f"{len(pending)} event{pluralize(len(pending))} queued; "
            f"{skipped} already processed {pluralize(skipped, 'was,were')} left alone.",
        )


@admin.register(AIVideoUsage)
class AIVideoUsageAdmin(admin.ModelAdmin):
    list_display = ["workspace", "provider", "seconds", "job", "created_at"]
    list_filter = ["provider"]
    raw_id_fields = ["workspace", "job"]
