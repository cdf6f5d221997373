"""Publishing: a workspace's connections (YouTube channels, signed webhook targets) and its finished videos sent
to them at their time.

A `Publication` is scheduled for a finished video (an approved series row, or any succeeded video render); the
`publishing.publish_due` schedule (every minute, migration publishing.0003) claims those whose time has come
and queues `publishing.tasks.publish` on the fast lane with retries (`lanes.enqueue_retrying`). A failure that
may pass (a 5xx, a broken connection) is retried with backoff; any other, or the last, leaves the publication
`failed` with the platform's reason and a Retry button. Every step is in the workspace's audit log.
"""

import json
import logging
import secrets as random_secrets
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

import lanes
from accounts import audit
from accounts.models import Workspace
from accounts.secrets import SecretUnreadable, decrypt, encrypt
from lanes.callbacks import TargetRefused, checked_address, private_target
from lanes.outbound import SIGNATURE_HEADER, PostFailed, post, sign
from publishing import actions, youtube
from publishing.cadence import Cadence
from publishing.models import Connection, Publication, SeriesRow
from renders.models import RenderJob, RenderOutput
from telemetry import counters

logger = logging.getLogger(__name__)
Pub = Publication.Status
PUBLISH_TASK = "publishing.tasks.publish"


class Refused(ValueError):
    """What was asked cannot be done; the message is a sentence for the person."""


class PublishFailed(Exception):
    """A target refused or could not be reached; the message is its reason. `retryable`: may pass by itself."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


# --- Connections ------------------------------------------------------------------------------------------


def connect_youtube(workspace: Workspace, user: Any, tokens: youtube.Tokens) -> Connection:
    """Keep a channel's tokens (encrypted) after the OAuth callback; connecting a channel again replaces them."""
    channel_id, title = youtube.channel_of(youtube.credentials(tokens))
    with transaction.atomic():
        connection = (
            Connection.objects.select_for_update()
            .filter(workspace=workspace, kind=Connection.Kind.YOUTUBE, account_id=channel_id)
            .first()
        ) or Connection(workspace=workspace, kind=Connection.Kind.YOUTUBE, account_id=channel_id, created_by=user)
        connection.name = title[:200]
        connection.disconnected_at = None
        _keep_tokens(connection, tokens)
        connection.save()
        audit.record(workspace, user, "connection.created", f"Connected the YouTube channel “{connection.name}”")
    return connection


def _keep_tokens(connection: Connection, tokens: youtube.Tokens) -> None:
    connection.refresh_token = encrypt(tokens.refresh_token)
    connection.access_token = encrypt(tokens.access_token) if tokens.access_token else ""
    connection.token_expiry = tokens.expiry


def credentials_for(connection: Connection) -> youtube.Credentials:
    """Google's credentials for a connected channel (uploads and figures); PublishFailed when its tokens can no
    longer be read. Hand them back to `save_refreshed` after use."""
    try:
        refresh = decrypt(connection.refresh_token)
        access = decrypt(connection.access_token) if connection.access_token else ""
    except SecretUnreadable:
        raise PublishFailed(
            "This channel's tokens can no longer be read (the key changed): connect it again."
        ) from None
    return youtube.credentials(
        youtube.Tokens(refresh_token=refresh, access_token=access, expiry=connection.token_expiry)
    )


def add_webhook(workspace: Workspace, user: Any, name: str, url: str) -> tuple[Connection, str]:
    """A signed webhook target; returns it and its signing secret (shown to the person once, stored encrypted)."""
    name, url = name.replace("\x00", "").strip(), url.strip()
    if not url.lower().startswith(("https://", "http://")):
        raise Refused("The webhook URL must start with https:// (or http://).")
    refused = private_target(url, resolve=False)
    if refused:
        raise Refused(f"This URL cannot receive webhooks: {refused}.")
    secret = "whpub_" + random_secrets.token_urlsafe(32)
    with transaction.atomic():
        connection = Connection.objects.create(
            workspace=workspace, kind=Connection.Kind.WEBHOOK, name=(name or url)[:200], webhook_url=url[:500],
            webhook_secret=encrypt(secret), created_by=user,
        )  # fmt: skip
        audit.record(workspace, user, "connection.created", f"Added the webhook target “{connection.name}”")
    return connection, secret


def disconnect(connection: Connection, user: Any) -> bool:
    """Forget the connection's tokens (a YouTube channel's are revoked at Google first); its scheduled videos fail
    with a reason, never silently dropped. False when Google could not be told (the tokens are gone here)."""
    revoked = True
    if connection.kind == Connection.Kind.YOUTUBE and connection.refresh_token:
        try:
            revoked = youtube.revoke(decrypt(connection.refresh_token))
        except SecretUnreadable:
            revoked = False
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).update(
            refresh_token="", access_token="", token_expiry=None, webhook_secret="", disconnected_at=timezone.now()
        )
        for publication in Publication.objects.filter(connection=connection, status=Pub.SCHEDULED):
            actions.publication_failed(publication, f"“{connection.name}” was disconnected before this went out.")
        audit.record(connection.workspace_id, user, "connection.removed", f"Disconnected {connection}")
    connection.refresh_from_db()
    return revoked


# --- Scheduling -------------------------------------------------------------------------------------------


def publishable_jobs(workspace: Workspace) -> Any:
    """Finished videos that may go out: succeeded video renders with an MP4, whose series row (if any) is approved."""
    # Rows without a job (refused, outlines) left out: one NULL in a NOT IN list makes SQL exclude every job.
    not_approved = SeriesRow.objects.exclude(status=SeriesRow.Status.APPROVED).filter(job__isnull=False)
    not_approved = not_approved.values("job_id")
    return (
        RenderJob.objects.filter(
            workspace=workspace, status=RenderJob.Status.SUCCEEDED, outputs__kind=RenderOutput.Kind.MP4
        )
        .exclude(pk__in=not_approved)
        .order_by("-created_at")
    )


def schedule(
    *,
    job: RenderJob,
    connection: Connection,
    publish_at: datetime,
    user: Any,
    privacy: str = Publication.Privacy.PUBLIC,
    title: str = "",
) -> Publication:
    """Schedule a finished video for `connection` at `publish_at`. A series row's video needs its approval; its
    title, description, tags and disclosure come from the row."""
    if connection.workspace_id != job.workspace_id or not connection.active:
        raise Refused("Choose a connection of this workspace that is still connected.")
    if privacy not in Publication.Privacy.values:
        raise Refused("Choose public, unlisted or private.")
    if not publishable_jobs(job.workspace).filter(pk=job.pk).exists():
        raise Refused("Only a finished video (and, in a series, an approved one) can be published.")
    row = SeriesRow.objects.filter(job=job).first()
    with transaction.atomic():
        publication = Publication.objects.create(
            workspace_id=job.workspace_id, connection=connection, job=job, row=row,
            title=(title or (row.label if row else "") or job.title or "Untitled")[:100],
            description=row.description if row else "", tags=list(row.tags) if row else [],
            ai_disclosure=row.ai_disclosure if row else True, privacy=privacy, publish_at=publish_at,
            created_by=user,
        )  # fmt: skip
        audit.record(
            job.workspace_id, user, "publication.scheduled",
            f"Scheduled “{publication.title}” for {connection} at {publish_at:%Y-%m-%d %H:%M %Z}",
        )  # fmt: skip
    return publication


def calendar(workspace: Workspace) -> Any:
    """What goes out when: the workspace's publications, soonest first (failed ones first of all)."""
    return (
        Publication.objects.filter(workspace=workspace)
        .select_related("connection", "job", "row__series")
        .order_by("publish_at", "pk")
    )


# --- Sending ----------------------------------------------------------------------------------------------


def publish_due() -> int:
    """Claim every publication whose time has come and queue it on the fast lane (the `publishing.publish_due`
    schedule, every minute). YouTube videos go PUBLISH_EARLY_MINUTES early, private with publishAt."""
    now = timezone.now()
    early = now + timedelta(minutes=settings.PUBLISH_EARLY_MINUTES)
    due = Publication.objects.filter(status=Pub.SCHEDULED).filter(
        Q(publish_at__lte=now) | Q(connection__kind=Connection.Kind.YOUTUBE, publish_at__lte=early)
    )
    claimed = 0
    for publication in due.order_by("publish_at", "pk")[:500]:
        claimed += _send_soon(publication)
    _fail_lost(now)
    return claimed


def _fail_lost(now: datetime) -> None:
    """A publication left `publishing` longer than any retry waits lost its task (a worker stopped with it, the
    Redis broker forgot it): fail it, so a person sees it and retries, instead of it waiting for ever."""
    stale = timedelta(seconds=settings.TASK_RETRY_MAX_SECONDS * 1.1 + settings.FAST_TIMEOUT + 600)
    for publication in Publication.objects.filter(status=Pub.PUBLISHING, updated_at__lt=now - stale):
        with transaction.atomic():
            if actions.publication_failed(
                publication, "Its publishing task was lost (a worker stopped). Check the target, then retry."
            ):
                audit.record(
                    publication.workspace_id, None, "publication.failed", f"Publishing “{publication.title}” was lost"
                )


def schedule_approved_rows(
    workspace: Workspace, connection: Connection, user: Any, cadence: Cadence | None = None
) -> int:
    """Every approved series video not yet scheduled for `connection`: at its row's publish time, or (with a
    cadence, e.g. weekdays at 17:00 Europe/Paris) at the cadence's next free slots, in series and row order.
    How many were scheduled."""
    taken = Publication.objects.filter(
        connection=connection, status__in=(Pub.SCHEDULED, Pub.PUBLISHING, Pub.PUBLISHED)
    ).values("job_id")
    rows = SeriesRow.objects.filter(
        series__workspace=workspace, status=SeriesRow.Status.APPROVED, job__isnull=False
    ).exclude(job_id__in=taken)
    if cadence is None:
        rows = rows.filter(publish_at__isnull=False)
    busy = set(
        Publication.objects.filter(connection=connection, status=Pub.SCHEDULED).values_list("publish_at", flat=True)
    )
    slots = (slot for slot in cadence.slots(timezone.now()) if slot not in busy) if cadence else None
    count = 0
    for row in rows.select_related("job").order_by("series__created_at", "series_id", "number"):
        if not publishable_jobs(workspace).filter(pk=row.job_id).exists():
            continue  # no MP4 (files expired): it stays approved, unscheduled
        at = row.publish_at or next(slots)
        schedule(job=row.job, connection=connection, publish_at=at, user=user)
        count += 1
    return count


def retry(publication: Publication, user: Any) -> None:
    """A person retries a failed publication: it goes now (or at its time, if that is still to come)."""
    if not publication.connection.active:
        raise Refused("Its connection was removed: schedule the video again for a connected target.")
    with transaction.atomic():
        if publication.status != Pub.FAILED or not _send_soon(publication):
            raise Refused("Only a failed publication can be retried.")
        audit.record(publication.workspace_id, user, "publication.retried", f"Retried publishing “{publication.title}”")


def _send_soon(publication: Publication) -> bool:
    with transaction.atomic():
        if not actions.publication_claimed(publication):
            return False
        transaction.on_commit(
            lambda: lanes.enqueue_retrying(
                PUBLISH_TASK, publication.pk, lane=lanes.FAST, task_name=f"publish {publication.public_id}"
            )
        )
    return True


def publish(publication_id: int) -> None:
    """The task: send one claimed publication. Raises lanes.Retryable for a failure that may pass while attempts
    remain (lanes runs it again after a growing wait); otherwise it ends published or failed, with the reason."""
    publication = Publication.objects.select_related("connection", "job", "workspace").filter(pk=publication_id).first()
    if publication is None or publication.status != Pub.PUBLISHING:
        return  # published, retried by a person, or gone meanwhile: nothing to do
    actions.publication_attempted(publication)
    publication.refresh_from_db()
    target = publication.connection.kind
    try:
        remote_id, remote_url = _send(publication)
    except (PublishFailed, youtube.YouTubeError) as failure:
        _failed(publication, failure, target)
        return
    except Exception:
        # A bug or a storage failure: shown as failed (never left waiting), and raised for the task's record.
        counters.increment(counters.PUBLISH_FAILURES, target=target)
        actions.publication_failed(
            publication, "Publishing failed unexpectedly; retry it, and tell us if it fails again."
        )
        raise
    with transaction.atomic():
        actions.publication_published(publication, remote_id, remote_url)
        audit.record(
            publication.workspace_id, None, "publication.published",
            f"Published “{publication.title}” to {publication.connection}",
        )  # fmt: skip


def _failed(publication: Publication, failure: "PublishFailed | youtube.YouTubeError", target: str) -> None:
    """Counted; retried later (lanes.Retryable) while it may pass and attempts remain, else failed with the reason."""
    counters.increment(counters.PUBLISH_FAILURES, target=target)
    reason = str(failure)
    if failure.retryable and publication.attempts < settings.TASK_RETRY_ATTEMPTS:
        actions.publication_will_retry(publication, reason)
        raise lanes.Retryable(reason) from None
    with transaction.atomic():
        actions.publication_failed(publication, reason)
        audit.record(
            publication.workspace_id, None, "publication.failed", f"Publishing “{publication.title}” failed: {reason}"
        )


def _send(publication: Publication) -> tuple[str, str]:
    connection = publication.connection
    if not connection.active:
        raise PublishFailed(f"“{connection.name}” was disconnected.")
    row = SeriesRow.objects.filter(pk=publication.row_id).first() if publication.row_id else None
    if row is not None and (row.status != SeriesRow.Status.APPROVED or row.job_id != publication.job_id):
        # Taken back for changes, or rendered again since it was scheduled: what was approved is not what exists.
        raise PublishFailed("The video is no longer the approved one (changes requested or rendered again).")
    output = publication.job.outputs.filter(kind=RenderOutput.Kind.MP4).first()
    if output is None:
        raise PublishFailed("The video's file is gone (expired or deleted): render it again, then schedule it.")
    if connection.kind == Connection.Kind.YOUTUBE:
        return _send_to_youtube(publication, output)
    _send_to_webhook(publication)
    return "", ""


def _send_to_youtube(publication: Publication, output: RenderOutput) -> tuple[str, str]:
    connection = publication.connection
    creds = credentials_for(connection)
    publish_at = publication.publish_at if publication.publish_at > timezone.now() else None
    video = youtube.Video(
        title=publication.title, description=publication.description, tags=list(publication.tags),
        privacy=publication.privacy, publish_at=publish_at, synthetic=publication.ai_disclosure,
    )  # fmt: skip
    try:
        with output.file.open("rb") as file:
            video_id = youtube.upload(creds, file, video)
    finally:
        save_refreshed(connection, creds)
    return video_id, f"https://www.youtube.com/watch?v={video_id}"


def save_refreshed(connection: Connection, creds: Any) -> None:
    """The client refreshed the access token on the way: keep the new one (encrypted) for the next upload."""
    tokens = youtube.tokens_of(creds)
    if tokens.access_token and tokens.refresh_token:
        _keep_tokens(connection, tokens)
        Connection.objects.filter(pk=connection.pk, disconnected_at=None).update(
            refresh_token=connection.refresh_token,
            access_token=connection.access_token,
            token_expiry=connection.token_expiry,
        )


def _send_to_webhook(publication: Publication) -> None:
    """POST the publication to the target, signed like api's job webhooks (docs/API.md): the receiver fetches the
    video through the API (`job.url`, with its API key) and posts it wherever it publishes."""
    connection = publication.connection
    job = publication.job
    body = json.dumps(
        {
            "event": "video.publish",
            "publication": {
                "id": str(publication.public_id), "title": publication.title,
                "description": publication.description, "tags": publication.tags, "privacy": publication.privacy,
                "publish_at": publication.publish_at.isoformat(), "ai_disclosure": publication.ai_disclosure,
            },
            "job": {"id": str(job.public_id), "url": f"{settings.SITE_URL.rstrip('/')}/api/v1/jobs/{job.public_id}"},
        },
        separators=(",", ":"),
    ).encode()  # fmt: skip
    try:
        secret = decrypt(connection.webhook_secret)
    except SecretUnreadable:
        raise PublishFailed("The target's signing secret can no longer be read: add the target again.") from None
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "OmniVibe-Publishing/1",
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    try:
        address = checked_address(connection.webhook_url)
        status = post(connection.webhook_url, address, body, headers, deadline=settings.WEBHOOK_TIMEOUT)
    except TargetRefused as refused:
        raise PublishFailed(f"Not sent: {refused}.") from None
    except PostFailed as failure:
        raise PublishFailed(f"The target could not be reached: {failure}.", retryable=True) from None
    if not 200 <= status < 300:
        raise PublishFailed(f"The target answered HTTP {status}.", retryable=status >= 500 or status == 429)
