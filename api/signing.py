"""Signed, expiring download URLs: they work without an API key and name exactly one output of one workspace."""

import time
from datetime import UTC, datetime
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, reverse
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes

from renders.models import RenderOutput

SALT = "api.download"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


class _Signer(signing.TimestampSigner):
    """Django's signer with its HMAC key derived once: salted_hmac derives it again for every signature, and a
    page of 20 jobs signs 80 links. Verifying (which passes each key in turn) is Django's own."""

    def __init__(self, secret_key: str) -> None:
        super().__init__(key=secret_key, salt=SALT)
        self._mac = salted_hmac(self.salt + "signer", b"", self.key, algorithm=self.algorithm)

    def signature(self, value: str | bytes, key: str | bytes | None = None) -> str:
        if key is not None:
            return super().signature(value, key)
        mac = self._mac.copy()
        mac.update(force_bytes(value))
        return signing.b64_encode(mac.digest()).decode()


@lru_cache(maxsize=2)
def _signer(secret_key: str) -> _Signer:
    return _Signer(secret_key)


def signed_url(output: RenderOutput, base_url: str) -> str:
    """A link that works until link_expiry() read before it was made, or a little longer."""
    # The workspace is signed too: even a forged output id would have to match the tenant the link was made for.
    token = _signer(settings.SECRET_KEY).sign_object({"o": output.pk, "w": output.job.workspace_id})
    return base_url.rstrip("/") + _files_path(get_script_prefix()) + token


def link_expiry() -> datetime:
    """When a link signed from now on expires at the soonest: a signature holds its whole second."""
    return datetime.fromtimestamp(int(time.time()) + settings.API_DOWNLOAD_URL_MAX_AGE, tz=UTC)


@lru_cache(maxsize=8)
def _files_path(script_prefix: str) -> str:
    # Resolved once, not once per output of every job listed: the path before the token never changes.
    return reverse("api:file", args=["-"]).removesuffix("-")


def output_for_token(token: str) -> RenderOutput | None:
    """The output a token names; raises LinkExpired or LinkInvalid; None when the file is gone."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=settings.API_DOWNLOAD_URL_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired() from None
    except signing.BadSignature:
        raise LinkInvalid() from None
    return RenderOutput.objects.select_related("job").filter(pk=data.get("o"), job__workspace_id=data.get("w")).first()


def seconds_left(token: str) -> int:
    """How long a valid token still works: a presigned URL made for it expires with it, not later."""
    # A signed object reads "payload:timestamp:signature" (base62 timestamp); output_for_token checked it.
    signed_at = signing.b62_decode(token.rsplit(signing.Signer().sep, 2)[-2])
    return max(0, signed_at + settings.API_DOWNLOAD_URL_MAX_AGE - int(time.time()))
