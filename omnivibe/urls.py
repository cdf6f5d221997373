from django.contrib import admin
from django.urls import include, path

from billing.views import stripe_webhook
from omnivibe.health import healthz
from omnivibe.metrics import metrics
from omnivibe.operations import operations
from studio.views import welcome

urlpatterns = [
    path("", welcome, name="welcome"),
    path("api/", include("api.urls")),
    path("v1/", include("api.compat_urls")),
    path("studio/settings/", include("api.studio_urls")),
    path("studio/voices/", include("voices.urls")),
    path("studio/billing/", include("billing.urls")),
    path("studio/", include("publishing.urls")),
    path("studio/", include("studio.urls")),
    path("jobs/", include("renders.urls")),
    path("accounts/", include("allauth.urls")),
    path("workspaces/", include("accounts.urls")),
    path("billing/stripe-webhook/", stripe_webhook, name="stripe_webhook"),
    path("stripe/", include("djstripe.urls", namespace="djstripe")),
    path("admin/operations/", admin.site.admin_view(operations), name="admin_operations"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
]
