from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from billing.quota import QuotaExceeded
from renders import actions, services
from renders.models import RenderJob, RenderOutput


class RenderOutputInline(admin.TabularInline):
    model = RenderOutput
    extra = 0
    readonly_fields = ["kind", "file", "size", "created_at"]


@admin.register(RenderJob)
class RenderJobAdmin(admin.ModelAdmin):
    list_display = ["title", "workspace", "kind", "status", "stage", "percent", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "public_id", "workspace__name"]
    list_select_related = ["workspace"]
    readonly_fields = ["public_id", "created_at", "started_at", "finished_at"]
    raw_id_fields = ["workspace", "script", "created_by"]
    inlines = [RenderOutputInline]
    actions = ["retry_jobs", "cancel_jobs"]

    @admin.action(description="Retry the selected failed jobs")
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet[RenderJob]) -> None:
        retried, refused = 0, []
        for job in queryset.filter(status=RenderJob.Status.FAILED):
            try:
                services.retry_job(job)
                retried += 1
            except QuotaExceeded as error:
                refused.append(f"{job.title}: {error.message}")
            except services.Refused as error:
                refused.append(f"{job.title}: {error}")
        self.message_user(request, f"{retried} job(s) queued again.")
        for message in refused:
            self.message_user(request, message, level=messages.WARNING)

    @admin.action(description="Cancel the selected queued or running jobs")
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet[RenderJob]) -> None:
        cancelled = sum(actions.cancel_job(job) for job in queryset)
        self.message_user(request, f"{cancelled} job(s) cancelled.")
