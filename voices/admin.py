from django.contrib import admin

from voices.models import Voice


@admin.register(Voice)
class VoiceAdmin(admin.ModelAdmin):
    list_display = ["name", "engine", "engine_voice_id", "workspace", "language"]
    list_filter = ["engine", "language"]
    search_fields = ["name", "workspace__name"]
    raw_id_fields = ["workspace"]
