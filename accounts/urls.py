from django.urls import path

from accounts import views

app_name = "workspaces"
urlpatterns = [
    path("new/", views.new, name="new"),
    path("<int:workspace_id>/switch/", views.switch, name="switch"),
    path("members/", views.members, name="members"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("leave/", views.leave_workspace, name="leave"),
    path("audit/", views.audit_log, name="audit"),
    path("members/invite/", views.invite, name="invite"),
    path("invitations/<int:invitation_id>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
