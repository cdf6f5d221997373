"""OmniVibe API client: `Client(url, api_key)`; the `omnivibe` command is in `omnivibe_client.cli`."""

from omnivibe_client.client import (
    ApiError,
    AuthError,
    Client,
    ConnectionFailed,
    Job,
    NotFound,
    QuotaExceeded,
)

__all__ = ["ApiError", "AuthError", "Client", "ConnectionFailed", "Job", "NotFound", "QuotaExceeded"]
