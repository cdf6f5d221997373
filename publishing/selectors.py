"""Reads of series and their rows, always through the member's workspaces."""

from collections import Counter

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from accounts.access import for_member
from accounts.models import Workspace
from publishing.models import Publication, Series, SeriesRow, VideoMetrics


def series_of(workspace: Workspace) -> QuerySet[Series]:
    return Series.objects.filter(workspace=workspace).select_related("campaign")


def publications_of(workspace: Workspace) -> QuerySet[Publication]:
    return Publication.objects.filter(workspace=workspace).select_related("connection", "job")


def metrics_history(publication: Publication) -> QuerySet[VideoMetrics]:
    """The video's snapshots, oldest first (its time series)."""
    return publication.metrics.order_by("fetched_at", "pk")


def series_for_member(user: AbstractBaseUser | AnonymousUser, public_id: str) -> Series | None:
    """The series if `user` may see it (the live progress socket has a user, not a request), else None."""
    return for_member(Series.objects, user).filter(public_id=public_id).select_related("campaign").first()


def rows_of(series: Series) -> QuerySet[SeriesRow]:
    return (
        series.rows.select_related("job", "script", "reviewed_by")
        .prefetch_related("publications__connection")
        .order_by("number")
    )


def summary(rows: list[SeriesRow]) -> dict[str, int]:
    """Rows per status (every status named, zero included), and `done` once none waits or renders."""
    counts = Counter(row.status for row in rows)
    figures = {status: counts.get(status, 0) for status in SeriesRow.Status.values}
    figures["total"] = len(rows)
    return figures


def is_running(rows: list[SeriesRow]) -> bool:
    busy = (SeriesRow.Status.DRAFTING, SeriesRow.Status.WAITING, SeriesRow.Status.RENDERING)
    return any(row.status in busy for row in rows)


def awaiting_review(workspace: Workspace) -> QuerySet[SeriesRow]:
    """The workspace's finished videos waiting for a decision, oldest first (the review page)."""
    return (
        SeriesRow.objects.filter(series__workspace=workspace, status=SeriesRow.Status.REVIEW)
        .select_related("series__campaign", "job", "script")
        .prefetch_related("job__outputs")
        .order_by("updated_at", "pk")
    )
