"""A campaign's published videos and their figures (publishing.metrics fetches them): the table with best and
worst, a small server-rendered SVG chart of views over time (no script, no CDN) and the CSV export; and each
script's performance, which publishing tells scripts and the writer through `scripts.performance`."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Subquery

from accounts.audit import defused
from publishing.models import Publication, VideoMetrics
from scripts.models import Campaign
from scripts.performance import Performance


@dataclass
class VideoFigures:
    publication: Publication
    latest: VideoMetrics | None
    history: list[VideoMetrics]

    @property
    def views(self) -> int:
        return self.latest.views if self.latest else 0


def campaign_videos(campaign: Campaign) -> list[VideoFigures]:
    """The campaign's published videos (their script is in it), most viewed first, each with its snapshots."""
    publications = (
        Publication.objects.filter(
            workspace=campaign.workspace, job__script__campaign=campaign, status=Publication.Status.PUBLISHED
        )
        .select_related("job__script", "connection")
        .prefetch_related("metrics")
    )
    videos = []
    for publication in publications:
        history = sorted(publication.metrics.all(), key=lambda snapshot: (snapshot.fetched_at, snapshot.pk))
        videos.append(VideoFigures(publication, history[-1] if history else None, history))
    return sorted(videos, key=lambda video: (-video.views, video.publication.pk))


def best_and_worst(videos: list[VideoFigures]) -> tuple[VideoFigures | None, VideoFigures | None]:
    """Among videos with figures: the most and the least viewed (None when fewer than two have figures)."""
    measured = [video for video in videos if video.latest]
    if len(measured) < 2:
        return None, None
    return measured[0], measured[-1]


def views_over_time(videos: list[VideoFigures]) -> list[tuple[datetime, int]]:
    """The campaign's total views at each fetch: every video counted at its latest snapshot so far."""
    times = sorted({snapshot.fetched_at for video in videos for snapshot in video.history})
    points = []
    for moment in times:
        total = 0
        for video in videos:
            seen = [snapshot.views for snapshot in video.history if snapshot.fetched_at <= moment]
            total += seen[-1] if seen else 0
        points.append((moment, total))
    return points


def chart_svg(points: list[tuple[datetime, int]], width: int = 480, height: int = 120) -> str:
    """A line chart as inline SVG, built from numbers only (nothing a user typed goes into it)."""
    if len(points) < 2:
        return ""
    first, last = points[0][0], points[-1][0]
    span = (last - first).total_seconds() or 1.0
    top = max(views for _, views in points) or 1
    pad = 6
    coords = " ".join(
        f"{pad + (moment - first).total_seconds() / span * (width - 2 * pad):.1f},"
        f"{height - pad - views / top * (height - 2 * pad):.1f}"
        for moment, views in points
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="Views over time, from {points[0][1]} to {points[-1][1]}">'
        f'<polyline fill="none" stroke="currentColor" stroke-width="2" points="{coords}"/></svg>'
    )


def csv_lines(videos: Iterable[VideoFigures]) -> Iterator[str]:
    """One line per video with its latest figures (formula cells defused: titles come from users)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = ["id", "title", "url", "published (UTC)", "views", "likes", "comments", "watch minutes",
              "average view seconds", "fetched (UTC)", "error"]  # fmt: skip
    rows = [header]
    for video in videos:
        publication, latest = video.publication, video.latest

        def figure(value: float | None) -> str:
            return "" if value is None else str(value)

        rows.append([
            str(publication.public_id), publication.title, publication.remote_url,
            publication.published_at.strftime("%Y-%m-%d %H:%M:%S") if publication.published_at else "",
            figure(latest.views if latest else None), figure(latest.likes if latest else None),
            figure(latest.comments if latest else None), figure(latest.watch_minutes if latest else None),
            figure(latest.average_view_seconds if latest else None),
            latest.fetched_at.strftime("%Y-%m-%d %H:%M:%S") if latest else "", publication.metrics_error,
        ])  # fmt: skip
    for row in rows:
        writer.writerow([defused(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def performance_by_script(workspace_id: int) -> dict[int, Performance]:
    """Each script's published videos (one per channel it went to) added up at their latest snapshots."""
    latest = VideoMetrics.objects.filter(publication=OuterRef("pk")).order_by("-fetched_at", "-pk")
    rows = (
        Publication.objects.filter(
            workspace_id=workspace_id, status=Publication.Status.PUBLISHED, job__script__isnull=False
        )
        .annotate(views=Subquery(latest.values("views")[:1]), watched=Subquery(latest.values("watch_minutes")[:1]))
        .filter(views__isnull=False)
        .values_list("job__script_id", "views", "watched")
    )
    added: dict[int, Performance] = {}
    for script_id, views, watched in rows:
        before = added.get(script_id, Performance(0, None, 0))
        minutes = before.watch_minutes if watched is None else (before.watch_minutes or 0.0) + watched
        added[script_id] = Performance(before.views + views, minutes, before.videos + 1)
    return added


def answer_performance_wanted(sender, workspace_id: int, **kwargs) -> dict[int, Performance]:
    """Answers `scripts.performance.performance_wanted` (connected in PublishingConfig.ready)."""
    return performance_by_script(workspace_id)
