"""GET /metrics: Prometheus metrics, for a scraper that sends `Authorization: Bearer <METRICS_TOKEN>`.

Off (404) unless METRICS_TOKEN is set; a missing or wrong token is a 404 too, so the page does not say it exists.
django-prometheus measures requests, the database and the cache; `OmniVibeCollector` adds ours, read from the
database at each scrape: jobs by status and kind, the queues' depth and the age of their oldest task, each
size-limited cache's hits, misses, evictions, entries, size and limit (renders/caches.py; the downloaded-media
cache is the scraped machine's own), and the counters and histograms every process counts into the database
(telemetry/counters.py: stage durations, verification retries and flagged units, webhook, storage and publish
failures).
"""

import hmac
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

import lanes
from renders import caches
from renders.models import RenderJob
from telemetry import counters


@dataclass(frozen=True)
class WaitingQueue:
    name: str
    tasks: int
    oldest_since: datetime | None  # when its oldest waiting task was queued


def waiting_queues() -> list[WaitingQueue]:
    """The tasks waiting in each lane's queue (the render lane, the fast lane), in the database or in Redis,
    whichever broker holds them (`Q_BROKER`)."""
    return [WaitingQueue(lanes.cluster_of(lane), *lanes.waiting(lane)) for lane in (lanes.RENDER, lanes.FAST)]


class OmniVibeCollector(Collector):
    def collect(self):
        jobs = GaugeMetricFamily("omnivibe_jobs", "Render jobs by status and kind", labels=["status", "kind"])
        counts = RenderJob.objects.values_list("status", "kind").annotate(count=Count("pk")).order_by()
        found = {(status, kind): count for status, kind, count in counts}
        for status in RenderJob.Status.values:  # every series present, at 0 too: rate() and alerts need them
            for kind in RenderJob.Kind.values:
                jobs.add_metric([status, kind], found.get((status, kind), 0))
        yield jobs

        depth = GaugeMetricFamily("omnivibe_queue_tasks", "Tasks waiting in the queue, by cluster", labels=["queue"])
        oldest = GaugeMetricFamily(
            "omnivibe_queue_oldest_task_age_seconds", "Age of the oldest waiting task, by cluster", labels=["queue"]
        )
        now = timezone.now()
        for queue in waiting_queues():
            depth.add_metric([queue.name], queue.tasks)
            since = queue.oldest_since
            oldest.add_metric([queue.name], (now - since).total_seconds() if since else 0.0)
        yield depth
        yield oldest
        yield from cache_families()
        yield from counters.families()

    def describe(self):
        return []  # nothing is read at registration: the database may not be there yet


def cache_families() -> list:
    """Each size-limited cache's figures (the counters start again when staff clear it)."""
    labels = ["cache"]
    families = {
        "hits": CounterMetricFamily("omnivibe_cache_hits", "Cache hits since last cleared", labels=labels),
        "misses": CounterMetricFamily("omnivibe_cache_misses", "Cache misses since last cleared", labels=labels),
        "evicted": CounterMetricFamily(
            "omnivibe_cache_evictions", "Entries evicted (least recently used) since last cleared", labels=labels
        ),
        "entries": GaugeMetricFamily("omnivibe_cache_entries", "Entries in the cache", labels=labels),
        "bytes": GaugeMetricFamily("omnivibe_cache_size_bytes", "Size of the cache", labels=labels),
        "limit": GaugeMetricFamily("omnivibe_cache_limit_bytes", "Size limit of the cache (0: none)", labels=labels),
    }
    for row in caches.stats():
        for field, family in families.items():
            family.add_metric([row["cache"]], row[field])
    return list(families.values())


REGISTRY.register(OmniVibeCollector())


def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip(), token):
        raise Http404()
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
