from django.urls import path

from api import studio_views

app_name = "api_settings"
urlpatterns = [
    path("api-keys/", studio_views.api_keys, name="keys"),
    path("api-keys/<int:pk>/revoke/", studio_views.api_key_revoke, name="revoke"),
    path("api-keys/webhook-secret/rotate/", studio_views.webhook_secret_rotate, name="rotate_webhook_secret"),
]
