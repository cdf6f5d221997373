from django.urls import path

from studio import account, views, workspace, writer

app_name = "studio"
urlpatterns = [
    path("", views.home, name="home"),
    path("account/", account.account, name="account"),
    path("account/export.zip", account.account_export, name="account_export"),
    path("account/delete/", account.account_delete, name="account_delete"),
    path("workspace/", workspace.workspace_settings, name="workspace_settings"),
    path("workspace/delete/", workspace.delete_workspace, name="workspace_delete"),
    path("scripts/", views.script_list, name="scripts"),
    path("scripts/new/", views.script_new, name="script_new"),
    path("scripts/estimate/", views.script_estimate, name="script_estimate"),
    path("scripts/speaker-preview/", views.speaker_preview, name="speaker_preview"),
    path("scripts/<int:pk>/similar/", views.script_similar, name="script_similar"),
    path("scripts/draft/", writer.draft_stream, name="writer_draft"),
    path("scripts/rewrite/", writer.rewrite, name="writer_rewrite"),
    path("scripts/<int:pk>/delete/", views.script_delete, name="script_delete"),
    path("scripts/<int:pk>/duplicate/", views.script_duplicate, name="script_duplicate"),
    path("renders/", views.render_list, name="renders"),
    path("renders/<uuid:public_id>/delete/", views.render_delete, name="render_delete"),
    path("scripts/<int:pk>/", views.script_edit, name="script"),
    path("scripts/<int:pk>/render/", views.script_render, name="script_render"),
    path("pronunciations/", views.pronunciation_list, name="pronunciations"),
    path("pronunciations/export.pls", views.pronunciation_export, name="pronunciation_export"),
    path("pronunciations/import/", views.pronunciation_import, name="pronunciation_import"),
    path("pronunciations/<int:pk>/", views.pronunciation_edit, name="pronunciation"),
    path("pronunciations/<int:pk>/delete/", views.pronunciation_delete, name="pronunciation_delete"),
    path("pronunciations/<int:pk>/hear/", views.pronunciation_hear, name="pronunciation_hear"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_edit, name="campaign"),
    path("campaigns/<int:pk>/delete/", views.campaign_delete, name="campaign_delete"),
    path("campaigns/<int:pk>/duplicate/", views.campaign_duplicate, name="campaign_duplicate"),
]
