from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ

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


def test_it_names_a_fast_lane_whose_tasks_wait_too_long(client, settings):
    cache.delete(Conf.Q_STAT)
    waited = timezone.now() - timedelta(seconds=settings.FAST_LANE_MAX_WAIT + 5)
    delivery = OrmQ.objects.create(key=settings.FAST_CLUSTER, payload="x", lock=waited)
    body = client.get(reverse("healthz")).json()
    assert body["checks"]["fast_lane"] == f"1 fast-lane tasks waiting for over {settings.FAST_LANE_MAX_WAIT} s"
    assert body["failing"] == ["worker", "fast_lane"]

    delivery.lock = timezone.now()  # just queued: the lane has a second to take it
    delivery.save()
    assert client.get(reverse("healthz")).json()["checks"]["fast_lane"] == "ok"
