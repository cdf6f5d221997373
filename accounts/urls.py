from django.urls import path

from accounts import views

app_name = "workspaces"
urlpatterns = [
    path("new/", views.new, name="new"),
    path("<int:workspace_id>/switch/", views.switch, name="switch"),
]
