import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_names_the_missing_worker(client):
    cache.clear()  # no qcluster runs in the test process, so no heartbeat
    response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["database"] == "ok" and body["checks"]["channel_layer"] == "ok"
    assert body["failing"] == ["worker"] and "no worker heartbeat" in body["checks"]["worker"]


def test_it_names_an_unreachable_channel_layer(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1"]}}
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 503 and "channel_layer" in response.json()["failing"]
