"""The shared fixtures, one pytest plugin registered by the root conftest: a real Redis (the embedded one
unless REDIS_URL is set), temporary media (or a fresh bucket of a real S3 server: `bucket`), known users (owner,
outsider), the seeded plans, API clients and local fakes of the vendors (Stripe, ElevenLabs, the writer's language
models). Test data comes from `tests.factories`."""

import logging
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts.access import CURRENT_WORKSPACE
from api.keys import create_key
from omnivibe.embedded_redis import EmbeddedRedis
from omnivibe.object_storage import object_storage_options
from tests import fake_ai_video, fake_elevenlabs, fake_google, fake_llm, fake_stock
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
                # The production options (capacity…) with this run's Redis and prefix.
                "CONFIG": {
                    **django_settings.CHANNEL_LAYERS["default"]["CONFIG"],
                    "hosts": [redis_url],
                    "prefix": prefix,
                },
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
    default = settings.STORAGES["default"]
    if "bucket_name" in default.get("OPTIONS", {}):  # the run's bucket (AWS_STORAGE_BUCKET_NAME): a prefix each
        options = {**default["OPTIONS"], "location": f"tests/{uuid.uuid4().hex}"}
        settings.STORAGES = {**settings.STORAGES, "default": {**default, "OPTIONS": options}}


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
def json_log():
    """The lines logged during the test as production writes them (LOG_FORMAT=json), parsed: call it to read them."""
    import io
    import json
    import logging

    from omnivibe.logs import logging_config

    formatter_config = dict(logging_config("json", "INFO", "WARNING")["formatters"]["structured"])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter_config.pop("()")(**formatter_config))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


# --- Object storage: a real S3-protocol server (moto's), never a mock of boto3 -------------------------
@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The S3 server `.ci/run` started (AWS_S3_ENDPOINT_URL), else moto's standalone server in this process on a
    free loopback port: the storage tests pass anywhere the packages are installed."""
    if os.environ.get("AWS_S3_ENDPOINT_URL"):
        yield os.environ["AWS_S3_ENDPOINT_URL"]
        return
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class Bucket:
    name: str
    client: Any  # boto3's S3 client, for looking at the bucket from outside the app

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix)
        return sorted(entry["Key"] for page in pages for entry in page.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


def s3_storage_settings(endpoint: str, bucket: str) -> dict[str, Any]:
    """STORAGES' default entry for `bucket` on `endpoint`, built as production builds it from the environment."""
    options = object_storage_options(
        bucket=bucket,
        endpoint_url=endpoint,
        region="us-east-1",
        access_key=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        addressing_style="",
        location="",
    )
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


@pytest.fixture
def bucket(settings, s3_endpoint) -> Iterator[Bucket]:
    """The default storage on a fresh bucket of the S3 server (one per test: nothing leaks between tests)."""
    import boto3

    name = f"test-{uuid.uuid4().hex[:24]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage_settings(s3_endpoint, name)}
    yield Bucket(name, client)
    for key in Bucket(name, client).keys():  # noqa: SIM118 (a method, not a dict's) moto keeps objects in memory
        client.delete_object(Bucket=name, Key=key)
    client.delete_bucket(Bucket=name)


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


@pytest.fixture
def stock(settings):
    """The fake Pexels and Pixabay APIs, both keys set."""
    fake = fake_stock.FakeStock()
    server = fake_stock.start(fake)
    settings.PEXELS_API_KEY = fake_stock.PEXELS_KEY
    settings.PEXELS_BASE_URL = fake.pexels_url
    settings.PIXABAY_API_KEY = fake_stock.PIXABAY_KEY
    settings.PIXABAY_BASE_URL = fake.pixabay_url
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def ai_video(settings):
    """The fake Runway and HeyGen APIs, both keys and a presenter set, polled without waiting."""
    fake = fake_ai_video.FakeAIVideo()
    server = fake_ai_video.start(fake)
    settings.RUNWAY_API_KEY = fake_ai_video.RUNWAY_KEY
    settings.RUNWAY_BASE_URL = fake.runway_url
    settings.HEYGEN_API_KEY = fake_ai_video.HEYGEN_KEY
    settings.HEYGEN_BASE_URL = fake.heygen_url
    settings.HEYGEN_UPLOAD_URL = fake.heygen_upload_url
    settings.HEYGEN_AVATAR_ID = "Daisy-inskirt-20220818"
    settings.AI_VIDEO_POLL_INTERVAL = 0.01
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def google(settings, monkeypatch) -> Iterator[fake_google.FakeGoogle]:
    """YouTube configured (an OAuth client) and every Google endpoint pointed at the local fake."""
    fake, server = fake_google.start()
    settings.GOOGLE_CLIENT_ID, settings.GOOGLE_CLIENT_SECRET = fake_google.CLIENT_ID, fake_google.CLIENT_SECRET
    settings.GOOGLE_AUTH_URI = f"{fake.url}/auth"
    settings.GOOGLE_TOKEN_URI = f"{fake.url}/token"
    settings.GOOGLE_REVOKE_URI = f"{fake.url}/revoke"
    settings.YOUTUBE_API_ENDPOINT = f"{fake.url}/"
    settings.YOUTUBE_TIMEOUT = 60.0  # a loaded CI machine is slow; the fake breaks dropped chunks at once
    settings.YOUTUBE_CHUNK_BYTES = 256 * 1024  # the smallest chunk the client allows: several chunks per video
    # oauthlib refuses a plain-http token endpoint unless told (the fake has no TLS).
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    yield fake
    server.shutdown()
    server.server_close()
