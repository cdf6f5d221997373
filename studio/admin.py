from django.contrib import admin

from studio.models import Campaign, Membership, Script, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name", "memberships__user__email"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "workspace__name"]
    autocomplete_fields = ["user", "workspace"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "aspect", "created_at"]
    search_fields = ["name", "workspace__name"]
    list_select_related = ["workspace"]


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ["title", "workspace", "language", "updated_at"]
    search_fields = ["title", "body", "workspace__name"]
    list_filter = ["language"]
    list_select_related = ["workspace"]
    raw_id_fields = ["workspace", "campaign", "created_by"]
