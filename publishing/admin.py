from django.contrib import admin

from publishing.models import Series, SeriesRow


class SeriesRowInline(admin.TabularInline):
    model = SeriesRow
    extra = 0
    fields = ["number", "status", "title", "topic", "error", "script", "job", "reviewed_by", "review_note"]
    readonly_fields = fields
    can_delete = False


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "campaign", "created_at"]
    search_fields = ["name", "workspace__name"]
    readonly_fields = ["public_id", "workspace", "campaign", "created_by", "created_at"]
    inlines = [SeriesRowInline]
