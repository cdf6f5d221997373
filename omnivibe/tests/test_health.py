import pytest
from django.core.cache import cache
from django.urls import reverse
from django_q.conf import Conf

pytestmark = pytest.mark.django_db


def test_it_names_the_missing_worker(client):
    # No qcluster runs here: forget any heartbeat, and only that (the Redis may be shared, so never clear it).
    cache.delete(Conf.Q_STAT)
    response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["database"] == "ok" and body["checks"]["channel_layer"] == "ok"
    assert body["failing"] == ["worker"] and "no worker heartbeat" in body["checks"]["worker"]


def test_it_names_an_unreachable_channel_layer_without_telling_why(client, settings, caplog):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "omnivibe.channel_layer.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1"]}}
    }
    response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 503 and "channel_layer" in body["failing"]
    assert body["checks"]["channel_layer"] == "error" and "127.0.0.1" not in response.content.decode()
    assert "health check channel_layer failed" in caplog.text and "127.0.0.1" in caplog.text  # the detail is logged
