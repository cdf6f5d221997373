"""The shared fixtures, one pytest plugin registered by the root conftest: a real Redis (the embedded one
unless REDIS_URL is set), temporary media, known users (owner, outsider), the seeded plans, API clients and
local fakes of the vendors (Stripe, ElevenLabs, the writer's language models). Test data comes from
`tests.factories`."""

import os
import threading
from pathlib import Path

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts.access import CURRENT_WORKSPACE
from api.keys import create_key
from omnivibe.embedded_redis import EmbeddedRedis
from tests import fake_elevenlabs, fake_llm
from tests.factories import api_workspace, make_member, seed_plans, workspace_of
from tests.fake_stripe import FakeStripe


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
                "BACKEND": "omnivibe.channel_layer.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_url], "prefix": prefix},
            }
        },
        CACHES={
            "default": {
                "BACKEND": "omnivibe.cache.RedisCache",
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


def client_working_in(user, workspace=None) -> Client:
    """A browser signed in as `user`, working in `workspace` (the header switcher's choice) when one is given."""
    client = Client()
    client.force_login(user)
    if workspace is not None:
        session = client.session
        session[CURRENT_WORKSPACE] = workspace.pk
        session.save()
    return client


@pytest.fixture
def commit_after_each_post(monkeypatch, django_capture_on_commit_callbacks):
    """What a request queues for after its commit (mails, tasks) runs when the test client's POST returns."""
    post = Client.post

    def post_and_commit(self, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(self, *args, **kwargs)

    monkeypatch.setattr(Client, "post", post_and_commit)


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
    other = Client()
    other.force_login(outsider)
    return other


# --- Plans and API keys ------------------------------------------------------------------------------
@pytest.fixture
def plans(db):
    return seed_plans()


@pytest.fixture
def workspace(owner):
    return workspace_of(owner)


@pytest.fixture
def owner_key(owner) -> str:
    return create_key(api_workspace(owner), name="tests", user=owner)[1]


@pytest.fixture
def api(owner_key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_key}")
    return client


@pytest.fixture
def outsider_api(outsider) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {create_key(api_workspace(outsider), name='theirs')[1]}")
    return client


# --- Vendors, faked on localhost -------------------------------------------------------------------
@pytest.fixture
def fake_stripe(settings):
    fake = FakeStripe()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_PRICE_IDS = {"creator": "price_creator", "pro": "price_pro", "business": "price_business"}
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def fake(settings):
    """The fake ElevenLabs API."""
    fake = fake_elevenlabs.FakeElevenLabs()
    server = fake_elevenlabs.start(fake)
    settings.ELEVENLABS_API_KEY = fake_elevenlabs.API_KEY
    settings.ELEVENLABS_BASE_URL = fake.url
    settings.ELEVENLABS_MODEL_ID = "eleven_multilingual_v2"
    settings.ELEVENLABS_OUTPUT_FORMAT = "pcm_22050"
    settings.ELEVENLABS_MAX_RETRIES = 0
    settings.ELEVENLABS_TIMEOUT = 5.0
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_llm_server():
    """The fake OpenAI / Anthropic API, with no provider configured yet (see `llm`)."""
    fake = fake_llm.FakeLLM()
    server = fake_llm.start(fake)
    yield fake
    server.shutdown()
    server.server_close()


def configure_llm(settings, fake: fake_llm.FakeLLM, provider: str, key: str = fake_llm.API_KEY) -> None:
    """Point the writer's provider at the fake server, through the same settings a deployment sets."""
    if provider == "openai":
        settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL = key, f"{fake.url}/v1"
    else:
        settings.ANTHROPIC_API_KEY, settings.ANTHROPIC_BASE_URL = key, fake.url
    settings.WRITER_MAX_RETRIES, settings.WRITER_TIMEOUT = 2, 5.0


@pytest.fixture(params=["openai", "anthropic"])
def llm(request, settings, fake_llm_server) -> fake_llm.FakeLLM:
    """The writer configured with one provider, each in turn, both talking to the fake server."""
    configure_llm(settings, fake_llm_server, request.param)
    fake_llm_server.provider = request.param
    return fake_llm_server
