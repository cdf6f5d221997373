from django.urls import path

from voices import views

app_name = "voices"
urlpatterns = [
    path("", views.voice_list, name="list"),
    path("new/", views.voice_new, name="new"),
    path("<int:pk>/", views.voice_edit, name="edit"),
    path("<int:pk>/delete/", views.voice_delete, name="delete"),
    path("<int:pk>/preview/", views.voice_preview, name="preview"),
]
