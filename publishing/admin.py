from django.contrib import admin

from publishing.models import Connection, Publication, Series, SeriesRow


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


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    """Read-only: tokens and secrets stay encrypted and are never shown."""

    list_display = ["name", "kind", "workspace", "created_at", "disconnected_at"]
    list_filter = ["kind"]
    search_fields = ["name", "workspace__name", "account_id"]
    fields = ["workspace", "kind", "name", "account_id", "webhook_url", "created_by", "created_at", "disconnected_at"]
    readonly_fields = fields


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["title", "connection", "publish_at", "status", "attempts", "workspace"]
    list_filter = ["status"]
    search_fields = ["title", "workspace__name", "remote_id"]
    readonly_fields = [field.name for field in Publication._meta.fields]
