"""Secrets we must keep but never store in the clear (TOTP keys; later, publishing tokens).

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with keys derived from SECRET_KEY and each of
SECRET_KEY_FALLBACKS: rotating SECRET_KEY (the old one moved to the fallbacks) keeps every stored secret
readable, and new ones are written with the current key.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

# A separate purpose, so these keys are never the ones Django signs cookies and links with.
PURPOSE = b"omnivibe.accounts.secrets"


class SecretUnreadable(Exception):
    """A stored secret no current or fallback key opens (the key it was written with is gone)."""


def _fernet_for(secret_key: str) -> Fernet:
    digest = hashlib.sha256(PURPOSE + b"\0" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    return MultiFernet([_fernet_for(key) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]])


def encrypt(text: str) -> str:
    return _keys().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("This secret was stored with a key that is no longer configured.") from None
