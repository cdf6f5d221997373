"""Shared fixtures: a real Redis (the embedded one unless REDIS_URL is set), temporary media, known users."""

import os
from pathlib import Path

import pytest
from django.test import override_settings

from omnivibe.embedded_redis import EmbeddedRedis


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    # A short path: unix socket paths are limited to ~100 characters.
    server = EmbeddedRedis(Path(f"/tmp/omnivibe-test-{os.getpid()}/redis.sock")).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def shared_services(redis_url: str, django_db_setup):
    prefix = f"omnivibe-test-{os.getpid()}"
    with override_settings(
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_url], "prefix": prefix},
            }
        },
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": prefix,
            }
        },
    ):
        yield


@pytest.fixture(autouse=True)
def media_dirs(settings, tmp_path):
    # Everything a test writes stays in its own tmp dir, never the checkout's var/ (e.g. the CLI's speech cache).
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RENDER_WORK_DIR = tmp_path / "work"


def make_member(email: str):
    from django.contrib.auth import get_user_model

    from accounts.services import ensure_personal_workspace

    user = get_user_model().objects.create_user(username=email, email=email, password="pw-12345-long")
    ensure_personal_workspace(user)
    return user


@pytest.fixture
def owner(db):
    return make_member("owner@example.com")


@pytest.fixture
def outsider(db):
    return make_member("outsider@example.com")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    from django.test import Client

    other = Client()
    other.force_login(outsider)
    return other
