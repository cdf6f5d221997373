"""Two-factor sign-in (allauth's MFA): an authenticator app's codes and recovery codes, with the app's key
stored encrypted. The codes are computed here as any authenticator app does (RFC 6238), not by allauth."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from accounts import secrets
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db


def authenticator_code(secret: str, at: float | None = None) -> str:
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def signed_in_with_password(email: str) -> tuple[Client, object]:
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    return client, response


def turn_on_two_factor(client: Client) -> str:
    # Changing how one signs in asks for the password again first.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": authenticator_code(secret)})
    assert response.status_code == 302, response.content
    return secret


@pytest.fixture
def person(plans):
    return make_member("two@example.com")


def test_the_account_page_offers_two_factor_until_it_is_on(person):
    client, _ = signed_in_with_password(person.email)
    page = client.get(reverse("studio:account")).content.decode()
    assert "Off." in page and reverse("mfa_index") in page
    turn_on_two_factor(client)
    assert "On." in client.get(reverse("studio:account")).content.decode()


def test_a_wrong_code_does_not_turn_it_on(person):
    client, _ = signed_in_with_password(person.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert not Authenticator.objects.filter(user=person).exists()


def test_the_app_key_is_stored_encrypted(person):
    client, _ = signed_in_with_password(person.email)
    secret = turn_on_two_factor(client)
    stored = Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored
    assert secrets.decrypt(stored) == secret


def test_with_it_on_a_password_alone_does_not_sign_in(person):
    client, _ = signed_in_with_password(person.email)
    secret = turn_on_two_factor(client)
    client.logout()

    client, response = signed_in_with_password(person.email)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("studio:home")).status_code == 302  # not signed in yet

    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert "Incorrect code" in wrong.content.decode()
    assert client.get(reverse("studio:home")).status_code == 302

    code = authenticator_code(secret)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(reverse("studio:home")).status_code == 200
    client.logout()

    # A code works once: replayed (someone watching over a shoulder), it is refused.
    client, _ = signed_in_with_password(person.email)
    assert "Incorrect code" in client.post(reverse("mfa_authenticate"), {"code": code}).content.decode()


def test_a_recovery_code_signs_in_once(person):
    client, _ = signed_in_with_password(person.email)
    turn_on_two_factor(client)
    codes_page = client.get(reverse("mfa_view_recovery_codes"))
    code = codes_page.context["unused_codes"][0]
    assert code in codes_page.content.decode()
    client.logout()

    client, _ = signed_in_with_password(person.email)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(reverse("studio:home")).status_code == 200
    client.logout()

    client, _ = signed_in_with_password(person.email)
    assert "Incorrect code" in client.post(reverse("mfa_authenticate"), {"code": code}).content.decode()


def test_secrets_survive_a_key_rotation_and_refuse_an_unknown_key(settings):
    stored = secrets.encrypt("JBSWY3DPEHPK3PXP")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key", [settings.SECRET_KEY]
    assert secrets.decrypt(stored) == "JBSWY3DPEHPK3PXP"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(stored)
