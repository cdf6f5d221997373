from django.contrib import admin

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
