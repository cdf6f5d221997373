from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Membership
from api.keys import cached_key_name, create_key, find_key, revoke_key
from api.models import ApiKey, hash_key
from tests.factories import make_member, workspace_of

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_keys_are_stored_hashed_and_shown_once(owner):
    key, raw = create_key(workspace_of(owner), name="CI", user=owner)
    assert raw.startswith("ov_") and len(raw) > 40
    assert key.hashed_key == hash_key(raw) and raw not in (key.hashed_key, key.prefix)
    assert raw.startswith(key.prefix)


def test_a_request_without_a_key_is_401_json(client):
    response = client.get("/api/v1/speakers")
    assert response.status_code == 401 and "Bearer" in response["WWW-Authenticate"]
    assert error_of(response)["code"] == "not_authenticated"


@pytest.mark.parametrize("header", ["Bearer ov_wrong", "Bearer nonsense", "Basic abc"])
def test_a_wrong_key_is_401(client, owner_key, header):
    response = client.get("/api/v1/speakers", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert error_of(response)["code"] in ("authentication_failed", "not_authenticated")


def test_revoked_and_expired_keys_are_refused(owner):
    workspace = workspace_of(owner)
    revoked, revoked_raw = create_key(workspace, name="old")
    revoke_key(revoked)
    expired, expired_raw = create_key(workspace, name="short", expires_days=1)
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for raw in (revoked_raw, expired_raw):
        response = APIClient().get("/api/v1/speakers", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 401 and error_of(response)["code"] == "authentication_failed"


def test_the_elevenlabs_header_is_accepted(client, owner_key):
    assert client.get("/api/v1/speakers", HTTP_XI_API_KEY=owner_key).status_code == 200


def test_last_used_is_recorded_at_most_once_a_minute(owner):
    key, raw = create_key(workspace_of(owner), name="CI")
    find_key(raw)
    first = ApiKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    find_key(raw)
    assert ApiKey.objects.get(pk=key.pk).last_used_at == first


def test_unknown_urls_are_json_404(api):
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_wrong_content_type_is_415(api):
    response = api.post("/api/v1/synthesize", data="x", content_type="text/plain")
    assert response.status_code == 415 and error_of(response)["code"] == "unsupported_media_type"


def test_wrong_methods_and_broken_json_get_the_error_shape(api):
    response = api.put("/api/v1/synthesize", {}, format="json")
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"
    response = api.post("/api/v1/synthesize", data='{"script": ', content_type="application/json")
    assert response.status_code == 400 and error_of(response)["code"] == "parse_error"
    response = api.post("/v1/audio/speech", data="{", content_type="application/json")
    assert response.status_code == 400 and error_of(response)["code"] == "parse_error"


def test_oversized_bodies_are_413(api, settings):
    settings.API_MAX_REQUEST_BYTES = 1000
    response = api.post("/api/v1/synthesize", {"script": "Host: " + "a" * 2000}, format="json")
    assert response.status_code == 413 and error_of(response)["code"] == "payload_too_large"


def test_django_upload_limits_are_413_too(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 500
    response = api.post("/api/v1/synthesize", {"script": "Host: " + "a" * 2000}, format="json")
    assert response.status_code == 413 and error_of(response)["code"] == "payload_too_large"


def test_throttling_is_per_key_with_retry_after(api, outsider_api, settings):
    settings.API_THROTTLE_RATE = "2/min"
    assert [api.get("/api/v1/speakers").status_code for _ in range(3)] == [200, 200, 429]
    response = api.get("/api/v1/speakers")
    assert int(response["Retry-After"]) > 0 and error_of(response)["code"] == "rate_limited"
    assert outsider_api.get("/api/v1/speakers").status_code == 200


def test_create_api_key_command_prints_the_key_once(owner, capsys):
    call_command("create_api_key", "owner@example.com", "--name", "cli", "--expires-days", "30")
    raw = capsys.readouterr().out.strip()
    key = find_key(raw)
    assert key is not None and key.name == "cli" and key.workspace == workspace_of(owner)
    assert key.expires_at is not None


def test_create_api_key_command_by_workspace_name(owner, capsys):
    call_command("create_api_key", workspace_of(owner).name, "--name", "ws")
    assert find_key(capsys.readouterr().out.strip()).workspace == workspace_of(owner)


def test_the_settings_page_shows_a_new_key_once_and_revokes(owner_client, owner):
    page = owner_client.post("/studio/settings/api-keys/", {"name": "Zapier"}).content.decode()
    key = ApiKey.objects.get(name="Zapier")
    assert "shown only this once" in page and key.prefix in page
    assert "whsec_" in page
    again = owner_client.get("/studio/settings/api-keys/").content.decode()
    assert "shown only this once" not in again
    owner_client.post(f"/studio/settings/api-keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_other_members_cannot_revoke_a_key(outsider_client, owner):
    key, _ = create_key(workspace_of(owner), name="mine")
    assert outsider_client.post(f"/studio/settings/api-keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_a_found_key_is_served_from_the_cache_until_revoked(owner, django_assert_num_queries):
    workspace = workspace_of(owner)
    key, raw = create_key(workspace, name="CI")
    assert find_key(raw) == key
    with django_assert_num_queries(0):
        assert find_key(raw).workspace.name == workspace.name
    revoke_key(key)
    assert find_key(raw) is None


def test_a_key_revoked_by_a_member_leaving_stops_at_once(owner):
    workspace = workspace_of(owner)
    member = make_member("leaving@example.com")
    Membership.objects.create(workspace=workspace, user=member, role=Membership.Role.EDITOR)
    key, raw = create_key(workspace, name="theirs", user=member)
    assert find_key(raw) == key
    Membership.objects.filter(workspace=workspace, user=member).get().delete()
    assert find_key(raw) is None


def test_a_deleted_key_stops_at_once(owner):
    key, raw = create_key(workspace_of(owner), name="CI")
    assert find_key(raw) == key
    key.delete()
    assert find_key(raw) is None


def test_a_cached_key_still_expires_on_time(owner):
    key, raw = create_key(workspace_of(owner), name="short", expires_days=1)
    cached = find_key(raw)
    cached.expires_at = timezone.now() - timedelta(seconds=1)  # as if the day had passed while it was cached
    cache.set(cached_key_name(key.hashed_key), cached, 60)
    assert find_key(raw) is None
