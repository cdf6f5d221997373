from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from omnivibe.health import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="studio:home", permanent=False)),
    path("api/", include("api.urls")),
    path("v1/", include("api.compat_urls")),
    path("studio/settings/", include("api.studio_urls")),
    path("studio/voices/", include("voices.urls")),
    path("studio/", include("studio.urls")),
    path("jobs/", include("renders.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
