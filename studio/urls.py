from django.urls import path

from studio import views

app_name = "studio"
urlpatterns = [
    path("", views.home, name="home"),
    path("scripts/new/", views.script_new, name="script_new"),
    path("scripts/<int:pk>/", views.script_edit, name="script"),
    path("scripts/<int:pk>/render/", views.script_render, name="script_render"),
]
