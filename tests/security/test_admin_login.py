"""Attacks on sign-in: guessing the admin password, and dodging per-client limits with a forged X-Forwarded-For.

The admin sign-in locks after ADMIN_LOGIN_FAILURE_LIMIT failures (django-axes), per client address and per
username. Which address is the client's follows TRUSTED_PROXY_COUNT everywhere: with no trusted proxy
(the default) X-Forwarded-For is ignored; behind one proxy, each real client is limited on its own.
"""

import random

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory, override_settings
from rest_framework.throttling import AnonRateThrottle

from tests.security.servers import production_settings

pytestmark = pytest.mark.django_db


def an_address() -> str:
    """A fresh address per test: rate-limit counters live in the shared cache."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


@pytest.fixture
def staff():
    return get_user_model().objects.create_superuser("admin", "admin@example.com", "the-right-password-123")


def admin_login(client: Client, username: str, password: str, **headers: str):
    return client.post("/admin/login/", {"username": username, "password": password}, **headers)


def test_forty_wrong_admin_passwords_lock_the_admin_sign_in(staff):
    client, address = Client(), an_address()
    answers = [admin_login(client, "admin", f"guess-{n}", REMOTE_ADDR=address).status_code for n in range(40)]
    assert answers[:9] == [200] * 9  # the form again, with its error
    assert set(answers[9:]) == {429}  # the tenth failure locks
    locked = admin_login(client, "admin", "the-right-password-123", REMOTE_ADDR=address)
    assert locked.status_code == 429 and "Sign-in locked" in locked.content.decode()  # even the right password
    assert "_auth_user_id" not in client.session


def test_guessing_one_admin_username_from_many_addresses_still_locks_it(staff):
    for _ in range(10):
        admin_login(Client(), "admin", "wrong", REMOTE_ADDR=an_address())
    assert admin_login(Client(), "admin", "the-right-password-123", REMOTE_ADDR=an_address()).status_code == 429


def test_a_studio_login_is_left_to_allauths_own_limits(staff):
    address = an_address()
    for _ in range(10):
        admin_login(Client(), "admin", "wrong", REMOTE_ADDR=address)
    studio = Client().post("/accounts/login/", {"login": "admin@example.com", "password": "the-right-password-123"},
                           REMOTE_ADDR=address)  # fmt: skip
    assert studio.status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_each_forwarded_client_is_locked_on_its_own(staff):
    proxy = an_address()
    get_user_model().objects.create_superuser("other", "other@example.com", "other-password-123")
    for _ in range(10):
        admin_login(Client(), "admin", "wrong", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    fine = admin_login(Client(), "other", "other-password-123", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert fine.status_code == 302  # another client behind the same proxy signs in


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(staff):
    address = an_address()
    get_user_model().objects.create_superuser("other", "other@example.com", "other-password-123")
    for n in range(10):  # each guess claims to come from somewhere else
        admin_login(Client(), "admin", "wrong", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    forged = admin_login(Client(), "other", "other-password-123", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert forged.status_code == 429  # it is still the same address


def failed_studio_logins(count: int, **headers: str) -> str:
    """The error the Studio login shows after `count` failures (each with another e-mail: only the IP limit counts)."""
    for n in range(count):
        Client().post("/accounts/login/", {"login": f"nobody{n}@example.com", "password": "wrong"}, **headers)
    page = Client().post("/accounts/login/", {"login": "someone@example.com", "password": "wrong"}, **headers)
    return page.content.decode()


def test_allauth_limits_each_forwarded_client_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = an_address()
    assert "Too many failed login attempts" in failed_studio_logins(
        10, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    other = Client().post("/accounts/login/", {"login": "someone@example.com", "password": "wrong"},
                          REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.2").content.decode()  # fmt: skip
    assert "Too many failed login attempts" not in other and "not correct" in other


def test_allauth_ignores_a_forged_forwarded_for_without_a_trusted_proxy():
    address = an_address()
    failed_studio_logins(10, REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="198.51.100.1")
    dodge = Client().post("/accounts/login/", {"login": "someone@example.com", "password": "wrong"},
                          REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="198.51.100.99").content.decode()  # fmt: skip
    assert "Too many failed login attempts" in dodge


def test_api_throttling_identifies_clients_the_same_way(settings):
    def ident(**meta: str) -> str:
        return AnonRateThrottle().get_ident(RequestFactory().get("/api/v1/jobs", **meta))

    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0  # the default: the header is ignored
    assert ident(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1") == "10.0.0.1"
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}):
        first = ident(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1")
        second = ident(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert (first, second) == ("203.0.113.1", "203.0.113.2")


def test_one_setting_drives_every_client_address_rule():
    rules = ("REST_FRAMEWORK['NUM_PROXIES']", "ALLAUTH_TRUSTED_PROXY_COUNT", "SECURE_PROXY_SSL_HEADER")
    # By default X-Forwarded-For is nobody's word, and X-Forwarded-Proto from anyone does not make a request HTTPS.
    assert production_settings(*rules) == ["0", "0", "None"]
    assert production_settings(*rules, TRUSTED_PROXY_COUNT="1") == ["1", "1", "('HTTP_X_FORWARDED_PROTO', 'https')"]
