from django.contrib import admin

from scripts.models import Campaign, Pronunciation, Script, VendorDictionary


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


@admin.register(Pronunciation)
class PronunciationAdmin(admin.ModelAdmin):
    list_display = ["written", "spoken", "kind", "workspace", "campaign", "updated_at"]
    search_fields = ["written", "spoken", "workspace__name"]
    list_select_related = ["workspace", "campaign"]
    raw_id_fields = ["workspace", "campaign"]


@admin.register(VendorDictionary)
class VendorDictionaryAdmin(admin.ModelAdmin):
    """Read only: the worker saves these when a render's entries change."""

    list_display = ["workspace", "engine", "scope", "dictionary_id", "version_id", "updated_at"]
    list_select_related = ["workspace"]
    readonly_fields = ["workspace", "engine", "scope", "dictionary_id", "version_id", "rules_hash", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False
