"""One POST to a customer's URL that cannot hang, wander off or be redirected into our network.

httpx's `timeout=` bounds each read, so a receiver dripping a byte every few seconds could hold a call open
for ever; here every socket operation gets what is left of one deadline for the whole attempt (connect, TLS,
send, response headers). The connection goes to the address the caller checked (`lanes.callbacks`), never to
a second DNS answer; the URL's name is still the Host header, the TLS server name and the name the
certificate is verified against. Redirects are not followed and the response body is never read.

Below the apps that send (api's job webhooks, publishing's webhook target), with the one signature scheme they
share: `X-OmniVibe-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>` (docs/API.md).
"""

import hashlib
import hmac
import ssl
import time
from typing import Any

import httpcore

SIGNATURE_HEADER = "X-OmniVibe-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value (the scheme Stripe uses; docs/API.md shows a receiver)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class PostFailed(Exception):
    """The attempt failed; the message is short and safe to show the customer ("timed out", "HTTP 503")."""


def post(url: str, address: str, body: bytes, headers: dict[str, str], *, deadline: float) -> int:
    """POST `body` to `url` through `address` within `deadline` seconds; the response status code."""
    backend = _PinnedBackend(address, time.monotonic() + deadline)
    # No proxy from the environment: a proxy would resolve the name again, and could reach our network.
    with httpcore.ConnectionPool(network_backend=backend, max_connections=1, retries=0) as pool:
        try:
            with pool.stream("POST", url, headers=headers, content=body) as response:
                return response.status  # the body stays unread: closing drops the connection
        except httpcore.TimeoutException:
            raise PostFailed("timed out") from None
        except httpcore.ConnectError as error:
            raise PostFailed(_connect_failure(error)) from None
        except (httpcore.ProtocolError, httpcore.NetworkError):
            raise PostFailed("the connection broke or the response was not valid HTTP") from None
        except httpcore.UnsupportedProtocol:
            raise PostFailed("unsupported URL") from None


def _connect_failure(error: httpcore.ConnectError) -> str:
    cause = error.__cause__ or error.__context__  # the socket's own error
    if isinstance(cause, ssl.SSLCertVerificationError):
        return "TLS certificate not valid for this host"
    if isinstance(cause, ssl.SSLError):
        return "TLS handshake failed"
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    return "could not connect"


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects to one fixed address whatever host the URL names, with one deadline for all it does."""

    def __init__(self, address: str, deadline: float):
        self._inner = httpcore.SyncBackend()
        self._address, self._deadline = address, deadline

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None, socket_options=None
    ) -> httpcore.NetworkStream:
        budget = _budget(self._deadline, timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(self._address, port, budget, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise httpcore.UnsupportedProtocol("webhooks go over TCP only")


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: float):
        self._inner, self._deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _budget(self._deadline, timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _budget(self._deadline, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        budget = _budget(self._deadline, timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, budget), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _budget(deadline: float, timeout: float | None, expired: type[Exception]) -> float:
    """The time one socket operation may take: what is left of the deadline (or less, if asked)."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the deadline passed")
    return left if timeout is None else min(timeout, left)
