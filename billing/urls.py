from django.urls import path

from billing import views

app_name = "billing"
urlpatterns = [
    path("", views.billing_page, name="page"),
    path("upgrade/<slug:slug>/", views.upgrade, name="upgrade"),
    path("manage/", views.manage, name="manage"),
]
