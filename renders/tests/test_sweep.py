"""No job lost or stuck: the every-minute sweep, the worker's heartbeat and redelivered tasks."""

import os
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.conf import Conf
from django_q.tasks import async_task

from billing.models import Reservation, UsageEntry
from mediakit.text.script import parse_text
from renders import actions, tasks
from renders.models import RenderJob
from renders.services import create_job, run_job
from renders.worker import RENDER_TASK, heartbeat, lane_for, work_dir
from tests.factories import RenderJobFactory

pytestmark = pytest.mark.django_db


def queue(owner, body="Host: Hello there.") -> RenderJob:
    workspace = owner.memberships.get().workspace
    return create_job(workspace=workspace, blocks=parse_text(body), title="T", kind=RenderJob.Kind.AUDIO)


def running(job: RenderJob, *, beat_seconds_ago: float, attempts: int = 1) -> RenderJob:
    """The job as a worker left it: running attempt `attempts`, last heartbeat that long ago."""
    beat = timezone.now() - timedelta(seconds=beat_seconds_ago)
    RenderJob.objects.filter(pk=job.pk).update(
        status=RenderJob.Status.RUNNING,
        stage="narrate",
        percent=40,
        attempts=attempts,
        started_at=beat - timedelta(seconds=30),
        heartbeat_at=beat,
        worker="gone:123",
    )
    job.refresh_from_db()
    return job


def render_tasks(callbacks) -> int:
    return sum("enqueue_on_commit" in callback.__qualname__ for callback in callbacks)


def test_a_job_whose_worker_died_is_queued_again_for_its_next_attempt(
    owner, settings, django_capture_on_commit_callbacks
):
    job = running(queue(owner), beat_seconds_ago=settings.RENDER_HEARTBEAT_TIMEOUT + 5)
    first_start = job.started_at
    work_dir(job).mkdir(parents=True)
    with django_capture_on_commit_callbacks() as enqueued:
        tasks.sweep_jobs()
    job.refresh_from_db()
    assert job.status == RenderJob.Status.QUEUED and job.attempts == 1 and job.worker == ""
    assert job.notice == "the worker stopped during narrate; retried (attempt 2 of 3)"
    assert render_tasks(enqueued) == 1
    assert job.reservation.status == Reservation.Status.HELD  # it will still run
    assert not work_dir(job).exists()

    run_job(job.pk)  # the new task
    job.refresh_from_db()
    assert job.status == RenderJob.Status.SUCCEEDED and job.attempts == 2
    assert job.started_at == first_start  # the creator's clock runs from the first start
    assert UsageEntry.objects.filter(job=job).count() == 1 and job.reservation.status == Reservation.Status.SETTLED


def test_a_job_out_of_attempts_fails_and_releases_its_quota_once(owner, settings, django_capture_on_commit_callbacks):
    job = running(queue(owner), beat_seconds_ago=settings.RENDER_HEARTBEAT_TIMEOUT + 5, attempts=3)
    with django_capture_on_commit_callbacks() as enqueued:
        tasks.sweep_jobs()
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED and render_tasks(enqueued) == 0
    assert job.error == "narrate: the worker kept stopping; failed after 3 attempts."
    released_at = job.reservation.closed_at
    assert job.reservation.status == Reservation.Status.RELEASED and released_at is not None

    tasks.sweep_jobs()
    run_job(job.pk)  # the broker's late redelivery of the dead worker's task
    job.refresh_from_db()
    job.reservation.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED and job.attempts == 3
    assert job.reservation.closed_at == released_at and not UsageEntry.objects.filter(job=job).exists()


def test_a_job_with_a_live_worker_is_left_alone(owner, settings, django_capture_on_commit_callbacks):
    job = running(queue(owner), beat_seconds_ago=5)
    work_dir(job).mkdir(parents=True)
    long_ago = time.time() - settings.RENDER_SWEEP_GRACE - 60
    os.utime(work_dir(job), (long_ago, long_ago))
    with django_capture_on_commit_callbacks() as enqueued:
        tasks.sweep_jobs()
    run_job(job.pk)  # a second delivery of its task
    job.refresh_from_db()
    assert job.status == RenderJob.Status.RUNNING and job.attempts == 1 and job.worker == "gone:123"
    assert job.notice == "" and render_tasks(enqueued) == 0 and work_dir(job).exists()


def test_a_redelivered_task_of_a_dead_worker_runs_the_job_as_its_next_attempt(owner, settings):
    job = running(queue(owner), beat_seconds_ago=settings.RENDER_HEARTBEAT_TIMEOUT + 5)
    run_job(job.pk)  # the broker's redelivery came before the sweep
    job.refresh_from_db()
    assert job.status == RenderJob.Status.SUCCEEDED and job.attempts == 2
    assert job.notice == "the worker stopped during narrate; retried (attempt 2 of 3)"


def test_a_queued_job_whose_task_is_gone_gets_a_new_one(owner, outsider, settings, django_capture_on_commit_callbacks):
    lost, waiting = queue(owner), queue(outsider)
    long_ago = timezone.now() - timedelta(seconds=settings.RENDER_SWEEP_GRACE + 60)
    RenderJob.objects.filter(pk__in=[lost.pk, waiting.pk]).update(queued_at=long_ago)
    # `waiting` still has its task in the broker's queue (the test settings run tasks inline: enqueue for real).
    Conf.SYNC = False
    try:
        async_task(RENDER_TASK, waiting.pk)
    finally:
        Conf.SYNC = True
    with django_capture_on_commit_callbacks() as enqueued:
        tasks.sweep_jobs()
    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert render_tasks(enqueued) == 1 and lost.queued_at > long_ago  # the grace starts again
    assert waiting.queued_at == long_ago
    assert lost.status == waiting.status == RenderJob.Status.QUEUED


def test_a_queued_job_within_its_grace_period_is_not_queued_twice(owner, django_capture_on_commit_callbacks):
    queue(owner)  # its task ran inline (test settings); what matters is that the row is fresh
    RenderJob.objects.update(status=RenderJob.Status.QUEUED)
    with django_capture_on_commit_callbacks() as enqueued:
        tasks.sweep_jobs()
    assert render_tasks(enqueued) == 0


def test_orphaned_work_directories_are_removed_once_untouched_for_a_while(owner, settings):
    live = running(queue(owner), beat_seconds_ago=1)
    root = settings.RENDER_WORK_DIR
    orphan, fresh, live_dir, not_ours = root / str(uuid.uuid4()), root / str(uuid.uuid4()), work_dir(live), root / "x"
    long_ago = time.time() - settings.RENDER_SWEEP_GRACE - 60
    for path in (orphan, fresh, live_dir, not_ours):
        path.mkdir(parents=True)
        (path / "narration.wav").write_bytes(b"RIFF")
    for path in (orphan, live_dir, not_ours):
        os.utime(path, (long_ago, long_ago))
    tasks.sweep_jobs()
    assert not orphan.exists()
    assert fresh.exists() and live_dir.exists() and not_ours.exists()


def test_two_deliveries_of_one_task_start_the_job_once(owner):
    job = queue(owner)
    RenderJob.objects.filter(pk=job.pk).update(status=RenderJob.Status.QUEUED)
    first, second = RenderJob.objects.get(pk=job.pk), RenderJob.objects.get(pk=job.pk)
    assert actions.start_job(first, worker="a:1") is True
    assert actions.start_job(second, worker="b:2") is False
    job.refresh_from_db()
    assert job.worker == "a:1" and job.attempts == 1


def test_a_worker_taken_for_dead_cannot_finish_or_fail_over_the_next_attempt(owner, settings):
    job = running(queue(owner), beat_seconds_ago=settings.RENDER_HEARTBEAT_TIMEOUT + 5)
    zombie = RenderJob.objects.get(pk=job.pk)  # attempt 1, still alive somewhere after all
    tasks.sweep_jobs()
    job.refresh_from_db()
    assert actions.start_job(job, worker="new:1") and job.attempts == 2
    assert actions.finish_job(zombie, {"blocks": []}) is False
    assert actions.fail_job(zombie, "compose: a late error") is False
    assert actions.record_heartbeat(zombie) is False
    job.refresh_from_db()
    assert job.status == RenderJob.Status.RUNNING and job.worker == "new:1"


@pytest.mark.django_db(transaction=True)  # the heartbeat thread writes through its own connection
def test_a_running_render_beats_every_few_seconds(owner, settings):
    settings.RENDER_HEARTBEAT_INTERVAL = 0.05
    job = running(queue(owner), beat_seconds_ago=600)
    before = job.heartbeat_at
    with heartbeat(job):
        deadline = time.monotonic() + 5
        while RenderJob.objects.get(pk=job.pk).heartbeat_at == before and time.monotonic() < deadline:
            time.sleep(0.05)
    assert RenderJob.objects.get(pk=job.pk).heartbeat_at > before + timedelta(seconds=590)


def test_the_jobs_page_says_what_happened_to_its_worker(owner, owner_client, settings):
    from django.urls import reverse

    lost = running(queue(owner), beat_seconds_ago=settings.RENDER_HEARTBEAT_TIMEOUT + 5)
    tasks.sweep_jobs()
    page = owner_client.get(reverse("renders:job", args=[lost.public_id])).content.decode()
    assert "The worker stopped during narrate; retried (attempt 2 of 3)." in page

    running(lost, beat_seconds_ago=settings.RENDER_HEARTBEAT_TIMEOUT + 5, attempts=3)
    tasks.sweep_jobs()
    page = owner_client.get(reverse("renders:job", args=[lost.public_id])).content.decode()
    assert "This render failed: narrate: the worker kept stopping; failed after 3 attempts." in page
    assert "retried (attempt" not in page  # the failure says it all


@pytest.mark.django_db(transaction=True)
def test_a_running_render_sweeps_for_its_dead_peers_when_no_worker_is_free(owner, outsider, settings, monkeypatch):
    from django_q.models import OrmQ

    from renders import worker

    settings.RENDER_HEARTBEAT_INTERVAL = 0.05
    monkeypatch.setattr(worker, "SWEEP_EVERY", 0.1)
    monkeypatch.setattr(Conf, "SYNC", False)  # the new task goes to the broker's queue
    live = running(queue(owner), beat_seconds_ago=0)
    dead = running(queue(outsider), beat_seconds_ago=settings.RENDER_HEARTBEAT_TIMEOUT + 5)
    with heartbeat(live):
        deadline = time.monotonic() + 5
        while RenderJob.objects.get(pk=dead.pk).status == RenderJob.Status.RUNNING and time.monotonic() < deadline:
            time.sleep(0.05)
    dead.refresh_from_db()
    assert dead.status == RenderJob.Status.QUEUED and dead.notice.startswith("the worker stopped during narrate")
    new_tasks = [row.task["args"] for row in OrmQ.objects.all() if row.task["name"].endswith("-attempt-2")]
    assert new_tasks == [(dead.pk,)]
    assert RenderJob.objects.get(pk=live.pk).status == RenderJob.Status.RUNNING


def test_short_narrations_take_the_fast_lane_and_videos_and_long_narrations_the_render_lane(settings):
    settings.FAST_RENDER_MAX_SECONDS = 10
    short = RenderJobFactory(kind="audio", blocks=[{"speaker": "Host", "text": "A quick line.", "pause_after": 0}])
    long_text = " ".join(["Many words are spoken here."] * 10)  # 50 words: about 20 s
    long = RenderJobFactory(kind="audio", blocks=[{"speaker": "Host", "text": long_text, "pause_after": 0}])
    video = RenderJobFactory(kind="video", blocks=short.blocks)
    unreadable = RenderJobFactory(kind="audio", options={"aspect": "not an aspect"})
    assert [lane_for(job) for job in (short, long, video, unreadable)] == ["fast", "render", "render", "render"]
