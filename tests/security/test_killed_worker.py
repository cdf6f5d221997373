"""A worker SIGKILLed in the middle of a real render (a real `manage.py qcluster`, real Piper, real ffmpeg): the job
is run again or failed, never left running, with the usage ledger exact and its work directory gone."""

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
from django_q.conf import Conf

from billing.models import Reservation, UsageEntry
from mediakit.text.script import parse_text
from renders import tasks
from renders.models import RenderJob
from renders.services import create_job
from renders.worker import work_dir
from tests.security.servers import kill_group, start_qcluster

pytestmark = pytest.mark.django_db(transaction=True)  # the cluster reads what the test commits, and vice versa

SENTENCE = "Host: Sentence number {} of this narration is long enough to take the voice a moment to say."
HEARTBEAT_TIMEOUT = 5.0  # long enough for a live worker's beat on a loaded machine
AFTER_NARRATION = ("captions", "storyboard", "compose")  # its narration units are in the speech cache by then


@pytest.fixture
def start_cluster(transactional_db, settings, redis_url, tmp_path) -> Iterator[Callable[[], subprocess.Popen]]:
    """Starts `manage.py qcluster` on the test's database, media and work directory (each in its own process
    group, so the whole cluster can be killed like a machine that died); every one is killed at the end."""
    settings.RENDER_HEARTBEAT_TIMEOUT = HEARTBEAT_TIMEOUT
    settings.FAST_RENDER_MAX_SECONDS = 0  # every job on the render lane, the one these clusters serve
    env = {
        "CACHE_PREFIX": f"killed-worker-{os.getpid()}",
        "CHANNELS_PREFIX": f"killed-worker-{os.getpid()}",
        "RENDER_TIMEOUT": "600",  # the broker's redelivery (retry) stays out of the picture: the sweep acts
        "RENDER_HEARTBEAT_INTERVAL": "0.5",
        "RENDER_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT),
        "RENDER_MAX_ATTEMPTS": str(settings.RENDER_MAX_ATTEMPTS),
    }
    clusters: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        clusters.append(start_qcluster(tmp_path / f"qcluster-{len(clusters)}.log", redis_url, **env))
        return clusters[-1]

    yield start
    for cluster in clusters:
        kill_group(cluster)


@pytest.fixture
def broker_queue(monkeypatch) -> None:
    """Tasks go through the ORM broker to the cluster (the test settings run them inline)."""
    monkeypatch.setattr(Conf, "SYNC", False)


def wait_for(condition: Callable[[RenderJob], bool], job: RenderJob, seconds: float = 120) -> RenderJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if condition(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job.status}/{job.stage} (attempt {job.attempts}) after {seconds} s")


def script(sentences: int) -> str:
    return "\n".join(SENTENCE.format(n) for n in range(1, sentences + 1))


def kill_its_worker(job: RenderJob) -> None:
    """SIGKILL the worker process running the job (its name is host:pid), and wait until it is taken for dead."""
    os.kill(int(job.worker.rsplit(":", 1)[1]), signal.SIGKILL)
    time.sleep(HEARTBEAT_TIMEOUT + 0.5)
    job.refresh_from_db()  # as the dead worker left it


def test_a_render_whose_worker_is_killed_runs_again_and_is_charged_once(owner, start_cluster, broker_queue):
    start_cluster()
    workspace = owner.memberships.get().workspace
    job = create_job(workspace=workspace, blocks=parse_text(script(3)), title="Killed", kind=RenderJob.Kind.VIDEO)
    # Killed after its narration finished: the next attempt takes every narration unit from the speech cache.
    job = wait_for(lambda j: j.status == RenderJob.Status.RUNNING and j.stage in AFTER_NARRATION, job)
    first_start = job.started_at
    assert work_dir(job).is_dir()
    kill_its_worker(job)
    killed_in = job.stage
    assert job.status == RenderJob.Status.RUNNING and job.attempts == 1  # nothing noticed yet: the sweep will

    tasks.sweep_jobs()  # what the every-minute schedule runs
    job.refresh_from_db()
    assert job.notice == f"the worker stopped during {killed_in}; retried (attempt 2 of 3)"
    assert not work_dir(job).exists()
    job = wait_for(lambda j: j.is_finished, job)  # the cluster's new worker picked it up

    assert job.status == RenderJob.Status.SUCCEEDED and job.attempts == 2 and job.started_at == first_start
    units = [unit for block in job.report["blocks"] for unit in block["units"]]
    assert units and all(unit["cached"] for unit in units)  # resumed: no unit said twice
    assert job.outputs.filter(kind="mp4").exists()
    usage = UsageEntry.objects.filter(job=job)
    assert usage.count() == 1 and usage.get().video_renders == 1 and usage.get().narration_seconds > 0
    assert Reservation.objects.get(job=job).status == Reservation.Status.SETTLED
    assert not work_dir(job).exists()


def test_a_render_whose_worker_keeps_dying_fails_and_consumes_nothing(owner, settings, start_cluster, broker_queue):
    settings.RENDER_MAX_ATTEMPTS = 2
    cluster = start_cluster()
    workspace = owner.memberships.get().workspace
    job = create_job(workspace=workspace, blocks=parse_text(script(6)), title="Doomed", kind=RenderJob.Kind.AUDIO)
    job = wait_for(lambda j: j.status == RenderJob.Status.RUNNING and j.stage == "narrate", job)
    kill_its_worker(job)
    kill_group(cluster)  # the whole machine this time: a new cluster takes over
    start_cluster()
    tasks.sweep_jobs()
    job = wait_for(lambda j: j.status == RenderJob.Status.RUNNING and j.attempts == 2 and j.stage == "narrate", job)
    assert job.notice == "the worker stopped during narrate; retried (attempt 2 of 2)"
    kill_its_worker(job)

    tasks.sweep_jobs()
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED
    assert job.error == "narrate: the worker kept stopping; failed after 2 attempts."
    reservation = Reservation.objects.get(job=job)
    assert reservation.status == Reservation.Status.RELEASED and not UsageEntry.objects.filter(job=job).exists()
    assert not work_dir(job).exists()
    released_at = reservation.closed_at
    tasks.sweep_jobs()  # a later sweep changes nothing: released once
    reservation.refresh_from_db()
    job.refresh_from_db()
    assert reservation.closed_at == released_at and reservation.status == Reservation.Status.RELEASED
    assert job.status == RenderJob.Status.FAILED and job.attempts == 2
