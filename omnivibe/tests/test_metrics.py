from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ
from django_q.signing import SignedPackage
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import RenderJobFactory

pytestmark = pytest.mark.django_db
TOKEN = "scraper-token-long-enough"


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_metrics_are_off_without_a_token_setting(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_metrics_need_the_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 404


def test_a_scrape_counts_jobs_by_status_and_kind_and_the_waiting_queue(client, settings):
    settings.METRICS_TOKEN = TOKEN
    RenderJobFactory(status="running", kind="video")
    RenderJobFactory(status="running", kind="video")
    RenderJobFactory(status="failed", kind="audio")
    waiting = {"id": "t1", "func": "renders.tasks.run", "started": timezone.now() - timedelta(minutes=5)}
    # As the ORM broker queues them: locked at the time they were queued (a worker's lock is in the future).
    OrmQ.objects.create(key="omnivibe", payload=SignedPackage.dumps(waiting), lock=waiting["started"])
    OrmQ.objects.create(key="omnivibe", payload=SignedPackage.dumps(waiting), lock=timezone.now())

    samples = scrape(client)
    assert samples[("omnivibe_jobs", (("kind", "video"), ("status", "running")))] == 2
    assert samples[("omnivibe_jobs", (("kind", "audio"), ("status", "failed")))] == 1
    assert samples[("omnivibe_jobs", (("kind", "audio"), ("status", "queued")))] == 0
    assert samples[("omnivibe_queue_tasks", (("queue", "omnivibe"),))] == 2
    assert 295 < samples[("omnivibe_queue_oldest_task_age_seconds", (("queue", "omnivibe"),))] < 400
    assert samples[("omnivibe_queue_tasks", (("queue", "fast"),))] == 0  # every lane, empty too
    # django-prometheus's own: the request before this one was counted
    assert any(name.startswith("django_http_requests_total") for name, _ in samples)


def test_a_scrape_shows_what_workers_counted_in_the_database(client, settings, owner):
    from api.tests.test_webhooks import Receiver, job_with_callback
    from api.webhooks import deliver
    from telemetry import counters

    settings.METRICS_TOKEN = TOKEN
    before = scrape(client)
    for name in ("omnivibe_verification_retries_total", "omnivibe_flagged_units_total"):
        assert before[(name, ())] == 0  # there before anything was counted
    assert before[("omnivibe_webhook_failures_total", (("reason", "http"),))] == 0

    # What a render worker and a webhook worker count (other processes, in production) ...
    counters.observe(counters.STAGE_SECONDS, 3.2, stage="narrate")
    counters.observe(counters.STAGE_SECONDS, 45, stage="narrate")
    counters.increment(counters.VERIFICATION_RETRIES, 2)
    counters.increment(counters.STORAGE_ERRORS, operation="save")
    counters.increment(counters.PUBLISH_FAILURES, target="youtube")
    deliver(job_with_callback(owner, "http://127.0.0.1:9/unreachable").pk, 1)
    server = Receiver(status=500)
    try:
        deliver(job_with_callback(owner, server.url).pk, 1)
    finally:
        server.close()

    samples = scrape(client)  # ... the web process reads from the database
    narrate = (("stage", "narrate"),)
    assert samples[("omnivibe_stage_duration_seconds_bucket", (("le", "2.0"), *narrate))] == 0
    assert samples[("omnivibe_stage_duration_seconds_bucket", (("le", "5.0"), *narrate))] == 1
    assert samples[("omnivibe_stage_duration_seconds_bucket", (("le", "60.0"), *narrate))] == 2
    assert samples[("omnivibe_stage_duration_seconds_bucket", (("le", "+Inf"), *narrate))] == 2
    assert samples[("omnivibe_stage_duration_seconds_count", narrate)] == 2
    assert samples[("omnivibe_stage_duration_seconds_sum", narrate)] == pytest.approx(48.2)
    assert samples[("omnivibe_verification_retries_total", ())] == 2
    assert samples[("omnivibe_storage_errors_total", (("operation", "save"),))] == 1
    assert samples[("omnivibe_publish_failures_total", (("target", "youtube"),))] == 1
    assert samples[("omnivibe_webhook_failures_total", (("reason", "network"),))] == 1
    assert samples[("omnivibe_webhook_failures_total", (("reason", "http"),))] == 1
    assert samples[("omnivibe_webhook_failures_total", (("reason", "refused"),))] == 0


def test_a_scrape_shows_each_caches_hits_misses_evictions_and_size(client, settings):
    from renders.models import CacheEntry, CacheStats

    settings.METRICS_TOKEN = TOKEN
    settings.SPEECH_CACHE_MAX_MB = 2
    CacheEntry.objects.create(cache="speech", name="workspaces/1/speech-cache/aa/unit.npz", size=4096,
                              used_at=timezone.now())  # fmt: skip
    CacheStats.objects.create(cache="speech", hits=12, misses=4, evicted=3)

    samples = scrape(client)
    speech, media = (("cache", "speech"),), (("cache", "media"),)
    assert samples[("omnivibe_cache_hits_total", speech)] == 12
    assert samples[("omnivibe_cache_misses_total", speech)] == 4
    assert samples[("omnivibe_cache_evictions_total", speech)] == 3
    assert samples[("omnivibe_cache_entries", speech)] == 1
    assert samples[("omnivibe_cache_size_bytes", speech)] == 4096
    assert samples[("omnivibe_cache_limit_bytes", speech)] == 2 * 1024 * 1024
    assert samples[("omnivibe_cache_hits_total", media)] == 0  # every cache, counted yet or not
