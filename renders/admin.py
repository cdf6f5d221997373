from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat

from billing.quota import QuotaExceeded
from renders import actions, caches, services
from renders.models import CacheEntry, CacheStats, RenderJob, RenderOutput


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


@admin.register(CacheStats)
class CacheStatsAdmin(admin.ModelAdmin):
    """The caches with a size limit (renders/caches.py): hits and misses since last cleared, size against the
    limit, and an action to clear one."""

    list_display = ["cache", "hits", "misses", "hit_rate", "evicted", "entries", "size", "limit", "cleared_at"]
    readonly_fields = ["cache", "hits", "misses", "evicted", "cleared_at"]
    actions = ["clear_caches"]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        for cache in CacheEntry.Cache.values:  # a row for each cache, used yet or not
            CacheStats.objects.get_or_create(cache=cache)
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="hit rate")
    def hit_rate(self, row: CacheStats) -> str:
        asked = row.hits + row.misses
        return f"{100 * row.hits / asked:.1f} %" if asked else "no lookups yet"

    @admin.display(description="entries")
    def entries(self, row: CacheStats) -> int:
        return caches.entries_of(row.cache)

    @admin.display(description="size")
    def size(self, row: CacheStats) -> str:
        return filesizeformat(caches.size_of(row.cache))

    @admin.display(description="limit")
    def limit(self, row: CacheStats) -> str:
        limit = caches.limit_of(row.cache)
        return filesizeformat(limit) if limit else "none"

    @admin.action(description="Clear the selected caches (delete every entry)", permissions=["change"])
    def clear_caches(self, request: HttpRequest, queryset: QuerySet[CacheStats]) -> None:
        for row in queryset:
            deleted = caches.clear(row.cache)
            self.message_user(request, f"{row.get_cache_display()} cleared: {deleted} file(s) deleted.")
