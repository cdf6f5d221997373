"""The operations page of the admin: queues, running renders, the last day's failures and the slowest stages."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from django_q.models import OrmQ, Task
from django_q.signing import SignedPackage

from api.models import WebhookDelivery
from tests.factories import RenderJobFactory

pytestmark = pytest.mark.django_db
URL = "/admin/operations/"


@pytest.fixture
def staff_client(client):
    get_user_model().objects.create_superuser("staff@example.com", "staff@example.com", "a-staff-pass-phrase")
    client.login(email="staff@example.com", password="a-staff-pass-phrase")
    return client


def test_the_admin_index_links_to_it(staff_client):
    assert URL in staff_client.get("/admin/").content.decode()


def test_it_shows_the_queues_running_renders_failures_and_slowest_stages(staff_client, settings):
    now = timezone.now()
    running = RenderJobFactory(title="Running now", status="running", stage="narrate", percent=40,
                               started_at=now, heartbeat_at=now, worker="host:12", attempts=1)  # fmt: skip
    RenderJobFactory(title="Worker gone", status="running", started_at=now - timedelta(minutes=9),
                     heartbeat_at=now - timedelta(minutes=5), attempts=1)  # fmt: skip
    RenderJobFactory(title="Waiting its turn", status="queued")
    RenderJobFactory(title="Broke today", status="failed", finished_at=now - timedelta(hours=2), error="compose: boom")
    RenderJobFactory(title="Broke last week", status="failed", finished_at=now - timedelta(days=6), error="old")
    slow = RenderJobFactory(title="Slow one", status="succeeded", finished_at=now,
                            report={"stages": {"narrate": 412.5, "captions": 0.2}})  # fmt: skip
    RenderJobFactory(title="Quick one", status="succeeded", finished_at=now, report={"stages": {"narrate": 3.0}})
    OrmQ.objects.create(key="fast", payload=SignedPackage.dumps({"id": "t1"}), lock=now - timedelta(minutes=3))
    Task.objects.create(id="f1", name="broken-task", func="api.tasks.deliver_webhook", started=now, stopped=now,
                        success=False, result="ValueError: nope")  # fmt: skip
    WebhookDelivery.objects.create(job=slow, attempt=2, url="https://example.com/hook", error="HTTP 502")

    page = staff_client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "fast" in html and "3\xa0minutes" in html  # a queue and its oldest task's wait
    assert "Running now" in html and "host:12" in html and "40 %" in html
    assert html.count("worker lost") == 1 and html.index("Worker gone") < html.index("worker lost")
    assert "Waiting its turn" in html and "Queued renders (1)" in html
    assert "Broke today" in html and "compose: boom" in html and "Broke last week" not in html
    assert "broken-task" in html and "ValueError: nope" in html
    assert "HTTP 502" in html
    slowest = html[html.index("Slowest stages") :]
    assert slowest.index("412.5") < slowest.index("3.0") < slowest.index("0.2")  # longest first
    assert running.title in html


def test_it_shows_the_workers_that_beat(staff_client):
    from django_q.brokers import get_broker
    from django_q.status import Stat, Status

    beat = Status(pid=4321, cluster_id="a-cluster")
    beat.status, beat.workers, beat.host = "Idle", [11, 12, 13], "worker-host-7"
    broker = get_broker()
    broker.set_stat(Stat.get_key(beat.cluster_id), SignedPackage.dumps(beat, True), 30)
    try:
        html = staff_client.get(URL).content.decode()
    finally:
        broker.set_stat(Stat.get_key(beat.cluster_id), "", 0)
    assert "worker-host-7" in html and "<td>Idle</td><td>3</td>" in html and "No worker beat" not in html


def test_an_empty_day_says_so(staff_client):
    html = staff_client.get(URL).content.decode()
    for sentence in (
        "No worker beat lately",
        "No task is waiting.",
        "No render is running.",
        "No render failed.",
        "No render finished.",
    ):
        assert sentence in html


def test_it_is_for_staff_who_may_view_render_jobs(client, owner):
    assert client.get(URL).status_code == 302  # to the admin's sign-in
    client.force_login(owner)
    assert client.get(URL).status_code == 302  # not staff
    owner.is_staff = True
    owner.save()
    assert client.get(URL).status_code == 403
    assert URL not in client.get("/admin/").content.decode()
    owner.user_permissions.add(Permission.objects.get(codename="view_renderjob"))
    assert client.get(URL).status_code == 200


def test_it_shows_each_cache_with_its_counts_and_links_to_clearing_it(staff_client, settings):
    from renders.models import CacheEntry, CacheStats

    settings.SPEECH_CACHE_MAX_MB = 1
    CacheEntry.objects.create(cache="speech", name="workspaces/1/speech-cache/aa/unit.npz", size=2048,
                              used_at=timezone.now())  # fmt: skip
    CacheStats.objects.create(cache="speech", hits=3, misses=1, evicted=7)

    html = staff_client.get(URL).content.decode()
    assert "<td>Speech cache</td><td>3</td><td>1</td><td>75.0 %</td><td>7</td><td>1</td><td>2.0\xa0KB</td>" in html
    assert "Downloaded media" in html and "/admin/renders/cachestats/" in html
