"""YouTube through Google's official client: the OAuth 2.0 web flow (offline, PKCE), token refresh, a resumable
upload and revocation. Every Google call of the app is here; its errors leave as one `YouTubeError` whose message
is Google's reason in words a creator can act on.

The API is described by the discovery document packaged in google-api-python-client (nothing is downloaded at
run time); `YOUTUBE_API_ENDPOINT` and the `GOOGLE_*_URI` settings point it elsewhere (tests: a local fake).
"""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import IO, Any

import google_auth_httplib2
import httplib2
import requests
from django.conf import settings
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build_from_document
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

logger = logging.getLogger(__name__)

# Upload videos, read the channel's name and its videos' figures, and their watch time (Analytics). Nothing else.
SCOPES = [
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.readonly",
    "https://www.googleapis.com/auth/yt-analytics.readonly",
]
RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}


class YouTubeError(Exception):
    """Google refused or could not be reached. `retryable`: worth trying again by itself later (a 5xx, a broken
    connection); otherwise a person must act (quota, revoked access, a refused video) and retry."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


def enabled() -> bool:
    return bool(settings.GOOGLE_CLIENT_ID and settings.GOOGLE_CLIENT_SECRET)


def _flow(redirect_uri: str, **kwargs: Any) -> Flow:
    config = {
        "web": {
            "client_id": settings.GOOGLE_CLIENT_ID,
            "client_secret": settings.GOOGLE_CLIENT_SECRET,
            "auth_uri": settings.GOOGLE_AUTH_URI,
            "token_uri": settings.GOOGLE_TOKEN_URI,
        }
    }
    return Flow.from_client_config(config, scopes=SCOPES, redirect_uri=redirect_uri, **kwargs)


def authorization_url(redirect_uri: str) -> tuple[str, str, str]:
    """Where to send the person (Google's consent page), the state to check on the way back, and the PKCE
    verifier to keep until then (both belong in their session)."""
    flow = _flow(redirect_uri, autogenerate_code_verifier=True)
    # offline + consent: Google returns a refresh token, so publishing works while nobody is signed in.
    # Not include_granted_scopes: the answer would list other scopes granted earlier, which oauthlib refuses.
    url, state = flow.authorization_url(access_type="offline", prompt="consent")
    return url, state, flow.code_verifier


def exchange_code(redirect_uri: str, code: str, code_verifier: str) -> Credentials:
    """The tokens for the code Google sent back (the caller has checked the state)."""
    flow = _flow(redirect_uri, code_verifier=code_verifier)
    try:
        flow.fetch_token(code=code)
    except OAuth2Error as error:
        raise YouTubeError(f"Google refused the authorisation: {error.description or error.error}") from None
    except Warning as changed:  # oauthlib: the scopes granted are not the ones asked (a box left unticked)
        granted = " ".join(getattr(changed, "new_scope", None) or []) or "fewer permissions"
        raise YouTubeError(
            f"Google granted other permissions than asked ({granted}): connect again and allow uploading videos "
            "and viewing the channel."
        ) from None
    except requests.RequestException:
        raise YouTubeError("Google could not be reached to finish the connection; try again.", retryable=True) from None
    credentials = flow.credentials
    if not credentials.refresh_token:
        raise YouTubeError(
            "Google sent no refresh token: remove OmniVibe's access in your Google account, then connect again."
        )
    return credentials


@dataclass(frozen=True)
class Tokens:
    """What a connection keeps (the caller encrypts): refresh token, and the current access token and expiry."""

    refresh_token: str
    access_token: str = ""
    expiry: datetime | None = None  # aware, UTC


def credentials(tokens: Tokens) -> Credentials:
    expiry = tokens.expiry.astimezone(UTC).replace(tzinfo=None) if tokens.expiry else None  # google-auth: naive UTC
    return Credentials(
        token=tokens.access_token or None, refresh_token=tokens.refresh_token, token_uri=settings.GOOGLE_TOKEN_URI,
        client_id=settings.GOOGLE_CLIENT_ID, client_secret=settings.GOOGLE_CLIENT_SECRET, scopes=SCOPES,
        expiry=expiry,
    )  # fmt: skip


def tokens_of(creds: Credentials) -> Tokens:
    expiry = creds.expiry.replace(tzinfo=UTC) if creds.expiry else None
    return Tokens(refresh_token=creds.refresh_token or "", access_token=creds.token or "", expiry=expiry)


@lru_cache(maxsize=2)
def _discovery_document(api: str = "youtube", version: str = "v3") -> str:
    """An API as described by the document packaged with the client (no download at run time): YouTube Data
    v3, or YouTube Analytics v2."""
    return get_static_doc(api, version)


def _service(creds: Credentials, api: str = "youtube", version: str = "v3") -> Any:
    # AuthorizedHttp refreshes an expired access token (and retries once on a 401) through GOOGLE_TOKEN_URI.
    transport = httplib2.Http(timeout=settings.YOUTUBE_TIMEOUT)
    # 308 is the resumable upload's "resume incomplete", not a redirect (as googleapiclient's build_http sets it).
    transport.redirect_codes = transport.redirect_codes - {308}
    http = google_auth_httplib2.AuthorizedHttp(creds, http=transport)
    document = json.loads(_discovery_document(api, version))
    if settings.YOUTUBE_API_ENDPOINT:
        # The root, not client_options' api_endpoint: that one keeps https for the upload URL whatever it says.
        document["rootUrl"] = settings.YOUTUBE_API_ENDPOINT.rstrip("/") + "/"
    return build_from_document(document, http=http)


def channel_of(creds: Credentials) -> tuple[str, str]:
    """The connected account's channel: (id, title)."""
    with _google_errors():
        answer = _service(creds).channels().list(part="snippet", mine=True).execute()
    items = answer.get("items") or []
    if not items:
        raise YouTubeError("This Google account has no YouTube channel: create one on YouTube, then connect again.")
    return items[0]["id"], items[0].get("snippet", {}).get("title", "") or items[0]["id"]


@dataclass(frozen=True)
class Video:
    title: str
    description: str
    tags: list[str]
    privacy: str  # public, unlisted, private
    publish_at: datetime | None  # in the future: uploaded private, YouTube makes it public then
    synthetic: bool  # status.containsSyntheticMedia: the "altered or synthetic content" disclosure


class _ChunkBytes(MediaIoBaseUpload):
    """Each chunk handed to the transport as bytes, not as a slice of the file: httplib2 sends a request again on a
    fresh connection when the old one broke, and a slice it had already read went out empty, so the retry hung until
    YOUTUBE_TIMEOUT (a minute per broken chunk) while the server waited for the body it was promised."""

    def has_stream(self) -> bool:
        return False


def upload(creds: Credentials, file: IO[bytes], video: Video) -> str:
    """Upload `file` (an MP4) as a resumable upload in chunks; a broken chunk is resumed where YouTube says the
    upload stands (up to YOUTUBE_UPLOAD_RESUMES times). The new video's id."""
    status: dict[str, Any] = {
        "privacyStatus": video.privacy,
        "selfDeclaredMadeForKids": False,
        "containsSyntheticMedia": video.synthetic,
    }
    if video.publish_at:
        # YouTube publishes a scheduled video itself, and only a private one.
        status["privacyStatus"] = "private"
        status["publishAt"] = video.publish_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    body = {
        "snippet": {"title": video.title, "description": video.description, "tags": video.tags, "categoryId": "22"},
        "status": status,
    }
    media = _ChunkBytes(file, mimetype="video/mp4", chunksize=settings.YOUTUBE_CHUNK_BYTES, resumable=True)
    with _google_errors():
        request = _service(creds).videos().insert(part="snippet,status", body=body, media_body=media)
        response, breaks = None, 0
        while response is None:
            try:
                _, response = request.next_chunk()
            except (HttpError, OSError, httplib2.HttpLib2Error) as error:
                status_code = error.status_code if isinstance(error, HttpError) else None
                if (
                    status_code is None or status_code in RETRYABLE_STATUS
                ) and breaks < settings.YOUTUBE_UPLOAD_RESUMES:
                    # The next call asks YouTube how much arrived and goes on from there.
                    breaks += 1
                    logger.info("youtube upload: chunk broke (%s), resuming (%d)", status_code or error, breaks)
                    continue
                raise
    return response["id"]


@dataclass(frozen=True)
class Statistics:
    """A video's public counters now; None where the owner hides them (likes, comments can be switched off)."""

    views: int
    likes: int | None
    comments: int | None


def statistics(creds: Credentials, video_ids: list[str]) -> dict[str, Statistics]:
    """`videos.list part=statistics` for up to 50 videos (one quota unit). A video YouTube no longer lists
    (deleted, made private by its owner elsewhere) is absent from the answer."""

    def number(value: Any) -> int | None:
        return int(value) if value is not None else None

    with _google_errors():
        answer = _service(creds).videos().list(part="statistics", id=",".join(video_ids[:50]), maxResults=50).execute()
    found = {}
    for item in answer.get("items") or []:
        counts = item.get("statistics") or {}
        found[item["id"]] = Statistics(
            views=number(counts.get("viewCount")) or 0,
            likes=number(counts.get("likeCount")),
            comments=number(counts.get("commentCount")),
        )
    return found


@dataclass(frozen=True)
class WatchTime:
    minutes: float  # estimatedMinutesWatched
    average_seconds: float  # averageViewDuration


def watch_time(creds: Credentials, video_ids: list[str], start: date, end: date) -> dict[str, WatchTime]:
    """YouTube Analytics v2 `reports.query` for the channel's videos between two days (Analytics' figures lag
    by a day or two; a video without views in the period is absent)."""
    with _google_errors():
        answer = (
            _service(creds, "youtubeAnalytics", "v2")
            .reports()
            .query(
                ids="channel==MINE", startDate=start.isoformat(), endDate=end.isoformat(), dimensions="video",
                metrics="estimatedMinutesWatched,averageViewDuration", filters="video==" + ",".join(video_ids[:200]),
                maxResults=200,
            )
            .execute()
        )  # fmt: skip
    columns = [header.get("name") for header in answer.get("columnHeaders") or []]
    found = {}
    for row in answer.get("rows") or []:
        values = dict(zip(columns, row, strict=False))
        if values.get("video"):
            found[values["video"]] = WatchTime(
                minutes=float(values.get("estimatedMinutesWatched") or 0),
                average_seconds=float(values.get("averageViewDuration") or 0),
            )
    return found


def revoke(refresh_token: str) -> bool:
    """Tell Google to forget the tokens (disconnect). False when Google could not be told (the tokens are
    deleted here anyway; the person can remove the access in their Google account)."""
    try:
        answer = requests.post(
            settings.GOOGLE_REVOKE_URI, data={"token": refresh_token}, timeout=settings.YOUTUBE_TIMEOUT,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
    except requests.RequestException as error:
        logger.warning("youtube: revoking a token failed: %s", error)
        return False
    # 400 invalid_token: already revoked or expired, which is what we wanted.
    return answer.status_code == 200 or answer.status_code == 400


class _google_errors:
    """Google's failures as YouTubeError with its reason: an HTTP error's JSON, a refused refresh, the network."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: BaseException | None, traceback: Any) -> bool:
        if error is None or isinstance(error, YouTubeError):
            return False
        if isinstance(error, HttpError):
            raise YouTubeError(_reason(error), retryable=error.status_code in RETRYABLE_STATUS) from None
        if isinstance(error, RefreshError):
            raise YouTubeError(
                f"Google refused this channel's authorisation ({_refresh_reason(error)}): "
                "disconnect and connect it again."
            ) from None
        if isinstance(error, (TransportError, OSError, httplib2.HttpLib2Error)):
            raise YouTubeError(f"YouTube could not be reached: {error}", retryable=True) from None
        return False


def _reason(error: HttpError) -> str:
    """Google's own words: its error's reason code and message, e.g. 'quotaExceeded: The request cannot…'."""
    try:
        detail = json.loads(error.content.decode("utf-8", "replace"))["error"]
        reason = (detail.get("errors") or [{}])[0].get("reason", "")
        message = detail.get("message", "")
    except (ValueError, KeyError, TypeError, AttributeError):
        reason, message = "", ""
    if reason in ("quotaExceeded", "dailyLimitExceeded", "uploadLimitExceeded", "rateLimitExceeded"):
        return (
            f"YouTube refused the request: the quota is used up ({reason}). {message} "
            "Quotas reset daily (midnight Pacific time); retry then, or ask Google for more quota."
        ).strip()
    words = f"{reason}: {message}" if reason and message else (message or reason or f"HTTP {error.status_code}")
    return f"YouTube answered {error.status_code}: {words}"


def _refresh_reason(error: RefreshError) -> str:
    first = error.args[0] if error.args else ""
    return str(first)[:200] or "invalid_grant"
