"""Performance tracking: the figures of published YouTube videos, fetched on the `publishing.fetch_metrics`
schedule (hourly, fast lane, migration publishing.0004) through Google's client, kept as `VideoMetrics` snapshots.

A failure (quota used up, access revoked or expired, Google unreachable) loses nothing: the videos keep their
earlier snapshots, `Publication.metrics_error` says Google's reason, and the next round tries again.
"""

import logging
from itertools import groupby

from django.db import transaction
from django.utils import timezone

from publishing import youtube
from publishing.models import Connection, Publication, VideoMetrics
from publishing.publish import PublishFailed, credentials_for, save_refreshed

logger = logging.getLogger(__name__)
BATCH = 50  # videos.list takes up to 50 ids per call (one quota unit)


def trackable() -> "list[Publication]":
    """Published YouTube videos of connected channels, grouped by connection."""
    return list(
        Publication.objects.filter(
            status=Publication.Status.PUBLISHED,
            connection__kind=Connection.Kind.YOUTUBE,
            connection__disconnected_at=None,
        )
        .exclude(remote_id="")
        .select_related("connection")
        .order_by("connection_id", "pk")
    )


def fetch_all() -> int:
    """One round over every trackable video; the number of snapshots stored."""
    if not youtube.enabled():
        return 0
    stored = 0
    for _, group in groupby(trackable(), key=lambda publication: publication.connection_id):
        publications = list(group)
        for start in range(0, len(publications), BATCH):
            stored += fetch(publications[start : start + BATCH])
    return stored


def fetch(publications: list[Publication]) -> int:
    """Fetch the figures of these videos (one connection's, at most 50) and store a snapshot of each; on a
    failure mark them with the reason instead. The number of snapshots stored."""
    connection = publications[0].connection
    now = timezone.now()
    ids = [publication.pk for publication in publications]
    try:
        creds = credentials_for(connection)
        try:
            found = youtube.statistics(creds, [publication.remote_id for publication in publications])
            watched, watch_error = _watch_time(creds, publications)
        finally:
            save_refreshed(connection, creds)
    except (youtube.YouTubeError, PublishFailed) as error:
        logger.info("metrics: fetch for connection %s failed: %s", connection.pk, error)
        Publication.objects.filter(pk__in=ids).update(metrics_checked_at=now, metrics_error=str(error))
        return 0
    snapshots = [
        VideoMetrics(
            publication=publication,
            fetched_at=now,
            views=counts.views,
            likes=counts.likes,
            comments=counts.comments,
            watch_minutes=watch.minutes if (watch := watched.get(publication.remote_id)) else None,
            average_view_seconds=watch.average_seconds if watch else None,
        )
        for publication in publications
        if (counts := found.get(publication.remote_id))
    ]
    missing = [publication.pk for publication in publications if publication.remote_id not in found]
    with transaction.atomic():
        VideoMetrics.objects.bulk_create(snapshots)
        Publication.objects.filter(pk__in=ids).update(metrics_checked_at=now, metrics_error=watch_error)
        # Why: a video YouTube no longer lists says so, rather than looking stuck at its last figures.
        Publication.objects.filter(pk__in=missing).update(metrics_error="YouTube no longer lists this video.")
    return len(snapshots)


def _watch_time(creds: object, publications: list[Publication]) -> tuple[dict[str, youtube.WatchTime], str]:
    """Watch time since the oldest publication; a failure here (e.g. a channel connected before the Analytics
    scope was asked) keeps the counts and says why."""
    today = timezone.now().date()
    start = min((publication.published_at or timezone.now()).date() for publication in publications)
    try:
        return youtube.watch_time(creds, [publication.remote_id for publication in publications], start, today), ""
    except youtube.YouTubeError as error:
        return {}, f"Watch time not fetched: {error}"
