"""Guessing keys and hammering the API: per-address limits for requests without a valid key, and the
X-RateLimit-* headers that tell a client where it stands."""

import itertools
import time

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

_addresses = (f"203.0.113.{number}" for number in itertools.count(1))  # each test its own client address


@pytest.fixture
def address() -> str:
    return next(_addresses)


def wrong_key_client(address: str) -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION="Bearer ov_not-a-real-key")
    return client


def test_three_hundred_wrong_keys_from_one_address_get_429s_not_401s(settings, address):
    settings.API_ANONYMOUS_THROTTLE_RATE = "30/min"
    client = wrong_key_client(address)
    statuses = [client.get("/api/v1/jobs").status_code for _ in range(300)]
    assert statuses[:30] == [401] * 30 and statuses[30:] == [429] * 270
    refused = client.get("/api/v1/jobs")
    assert refused.json()["error"]["code"] == "rate_limited" and int(refused["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/v1/voices"), ("post", "/v1/audio/speech"), ("post", "/v1/text-to-speech/joe"), ("get", "/api/v1/usage")],
)
def test_requests_without_a_key_are_limited_on_every_endpoint(settings, address, method, path):
    settings.API_ANONYMOUS_THROTTLE_RATE = "3/min"
    client = APIClient(REMOTE_ADDR=address)
    statuses = [getattr(client, method)(path, {}, format="json").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]


def test_the_limit_is_per_address_and_a_valid_key_is_not_held_back(settings, address, api):
    settings.API_ANONYMOUS_THROTTLE_RATE = "2/min"
    client = wrong_key_client(address)
    assert [client.get("/api/v1/jobs").status_code for _ in range(3)] == [401, 401, 429]
    assert wrong_key_client(next(_addresses)).get("/api/v1/jobs").status_code == 401
    assert api.get("/api/v1/jobs", REMOTE_ADDR=address).status_code == 200


def test_a_forged_x_forwarded_for_does_not_escape_the_limit(settings, address):
    settings.API_ANONYMOUS_THROTTLE_RATE = "2/min"  # no trusted proxy (TRUSTED_PROXY_COUNT=0): the header is ignored
    client = wrong_key_client(address)
    statuses = [
        client.get("/api/v1/jobs", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}").status_code for number in range(4)
    ]
    assert statuses == [401, 401, 429, 429]


def test_api_responses_carry_rate_limit_headers(api, settings):
    settings.API_THROTTLE_RATE = "5/min"
    before = time.time()
    first, second = api.get("/api/v1/speakers"), api.get("/api/v1/speakers")
    assert first["X-RateLimit-Limit"] == "5" and first["X-RateLimit-Remaining"] == "4"
    assert second["X-RateLimit-Remaining"] == "3"
    assert before + 59 <= int(first["X-RateLimit-Reset"]) <= time.time() + 61
    for _ in range(3):
        api.get("/api/v1/speakers")
    refused = api.get("/api/v1/speakers")
    assert refused.status_code == 429 and refused["X-RateLimit-Remaining"] == "0"


def test_errors_and_drop_in_responses_carry_them_too(api, settings, address):
    settings.API_ANONYMOUS_THROTTLE_RATE = "10/min"
    assert api.get("/v1/voices")["X-RateLimit-Limit"]
    assert api.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000")["X-RateLimit-Remaining"]
    refused = wrong_key_client(address).get("/api/v1/jobs")
    assert refused.status_code == 401
    assert (refused["X-RateLimit-Limit"], refused["X-RateLimit-Remaining"]) == ("10", "9")
