from django.urls import path

from studio import views

app_name = "studio"
urlpatterns = [
    path("", views.home, name="home"),
    path("scripts/new/", views.script_new, name="script_new"),
    path("scripts/<int:pk>/", views.script_edit, name="script"),
    path("scripts/<int:pk>/render/", views.script_render, name="script_render"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_edit, name="campaign"),
]
