"""Many submissions at once, each on its own database connection: exactly what the plan allows gets in."""

import threading

import pytest
from django.db import connection

from billing.models import Plan, Reservation
from billing.quota import QuotaExceeded
from mediakit.text.script import Block
from renders.models import RenderJob
from renders.services import create_job
from tests.factories import make_member, put_on_plan

THREADS = 16


def fire(workspace, kind: str, blocks: list[Block]) -> tuple[int, int, list[BaseException]]:
    """Start THREADS submissions at the same instant; count accepted, refused and anything else."""
    barrier = threading.Barrier(THREADS)
    accepted, refused, errors = [], [], []

    def one() -> None:
        try:
            barrier.wait()
            create_job(workspace=workspace, blocks=blocks, title="race", kind=kind)
            accepted.append(1)
        except QuotaExceeded:
            refused.append(1)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=one) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return len(accepted), len(refused), errors


@pytest.fixture
def racing_workspace(transactional_db, monkeypatch):
    # Only the admission is under test: nothing is rendered once a job commits.
    monkeypatch.setattr("lanes.async_task", lambda *args, **kwargs: None)
    Plan.objects.create(
        slug="race",
        name="Race",
        included_narration_seconds=100,
        included_video_renders=5,
        max_video_height=720,
        max_voices=2,
        concurrent_jobs=THREADS,
    )
    workspace = make_member("racer@example.com").memberships.get().workspace
    put_on_plan(workspace, "race")
    return workspace


@pytest.mark.django_db(transaction=True)
def test_parallel_video_submissions_never_exceed_the_included_renders(racing_workspace):
    accepted, refused, errors = fire(racing_workspace, RenderJob.Kind.VIDEO, [Block("Host", "Hi.")])
    assert errors == []
    assert (accepted, refused) == (5, THREADS - 5)
    assert RenderJob.objects.filter(workspace=racing_workspace).count() == 5
    assert Reservation.objects.filter(workspace=racing_workspace, status="held").count() == 5


@pytest.mark.django_db(transaction=True)
def test_parallel_submissions_never_exceed_the_included_narration(racing_workspace):
    ten_seconds = [Block("Host", "one two three four five", pause_after=8.0)]  # 10 s each; 100 s included
    accepted, refused, errors = fire(racing_workspace, RenderJob.Kind.AUDIO, ten_seconds)
    assert errors == []
    assert (accepted, refused) == (10, THREADS - 10)


@pytest.mark.django_db(transaction=True)
def test_parallel_submissions_never_exceed_the_concurrent_jobs(racing_workspace):
    Plan.objects.filter(slug="race").update(concurrent_jobs=3, included_video_renders=100)
    accepted, refused, errors = fire(racing_workspace, RenderJob.Kind.VIDEO, [Block("Host", "Hi.")])
    assert errors == []
    assert (accepted, refused) == (3, THREADS - 3)
