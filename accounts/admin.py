from django.contrib import admin

from accounts.models import AuditEntry, Invitation, Membership, Workspace


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


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "workspace", "role", "sent_at", "expires_at", "accepted_at", "declined_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "workspace__name"]
    # The token's hash is useless to staff and must not be edited into a known value.
    exclude = ["token_hash"]
    readonly_fields = ["workspace", "email", "invited_by", "sent_at", "expires_at", "accepted_at", "declined_at"]

    def has_add_permission(self, request) -> bool:
        return False  # invitations are sent from the members page, which mails the link


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "workspace", "actor_email", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["workspace__name", "actor_email", "summary"]
    date_hierarchy = "created_at"

    # A record of what happened: staff read it, nobody edits it.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
