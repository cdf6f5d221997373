from django.contrib import admin

from billing.models import UsageEntry


@admin.register(UsageEntry)
class UsageEntryAdmin(admin.ModelAdmin):
    list_display = ["workspace", "narration_seconds", "video_renders", "job", "created_at"]
    search_fields = ["workspace__name", "note"]
    raw_id_fields = ["workspace", "job"]
