"""A job's life on the worker side: run, cancel, fail, run twice."""

import psutil
import pytest
from django_q.exceptions import TimeoutException
from django_q.timeout import TimeoutHandler

from mediakit.text.script import parse_text
from renders import actions
from renders.models import RenderJob
from renders.services import Refused, create_job, run_job

pytestmark = [pytest.mark.django_db, pytest.mark.storage]  # stored files: .ci/run runs these on a bucket too


def queue(owner, body="Host: Hello there.", kind=RenderJob.Kind.AUDIO):
    return create_job(workspace=owner.memberships.get().workspace, blocks=parse_text(body), title="T", kind=kind)


def test_a_finished_job_is_left_alone_when_run_again(owner):
    job = queue(owner)
    run_job(job.pk)
    job.refresh_from_db()
    first_outputs = list(job.outputs.values_list("pk", flat=True))
    run_job(job.pk)  # e.g. a re-delivered task
    job.refresh_from_db()
    assert job.status == RenderJob.Status.SUCCEEDED
    assert list(job.outputs.values_list("pk", flat=True)) == first_outputs


def test_a_cancelled_job_stops_and_consumes_nothing(owner, settings, tmp_path):
    job = queue(owner, body="Host: One.\nGuest: Two.\nHost: Three.")
    original = actions.report_progress

    def cancel_during_narration(job_, stage, percent, report=None):
        original(job_, stage, percent, report)
        if percent > 0:
            RenderJob.objects.filter(pk=job_.pk).update(status=RenderJob.Status.CANCELLED)

    actions.report_progress = cancel_during_narration
    try:
        run_job(job.pk)
    finally:
        actions.report_progress = original
    job.refresh_from_db()
    assert job.status == RenderJob.Status.CANCELLED
    assert not job.outputs.exists() and not hasattr(job, "usage")
    assert not (settings.RENDER_WORK_DIR / str(job.public_id)).exists()


def test_a_job_deleted_while_it_runs_stops_and_leaves_nothing_behind(owner, settings):
    from renders.services import delete_job

    job = queue(owner, body="Host: One.\nGuest: Two.\nHost: Three.")
    original = actions.report_progress

    def delete_during_narration(job_, stage, percent, report=None):
        original(job_, stage, percent, report)
        if percent > 0 and RenderJob.objects.filter(pk=job_.pk).exists():
            delete_job(RenderJob.objects.get(pk=job_.pk), by=owner)  # the Studio's delete: cancel, files, then the row

    actions.report_progress = delete_during_narration
    try:
        run_job(job.pk)
    finally:
        actions.report_progress = original
    assert not RenderJob.objects.filter(pk=job.pk).exists()
    assert not (settings.RENDER_WORK_DIR / str(job.public_id)).exists()


def test_a_failing_stage_fails_the_job_with_a_clear_message(owner):
    job = queue(owner)
    RenderJob.objects.filter(pk=job.pk).update(
        options={"voices": {"Host": {"engine": "piper", "voice_id": "joe", "settings": {"speed": 50}}}}
    )
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED
    assert job.error == "narrate: block 1 (Host): speed must be from 0.5 to 2.0, not 50"
    assert not job.outputs.exists() and not hasattr(job, "usage")


LONG_SCRIPT = "\n".join(
    f"{speaker}: Line {n} of a script that takes a while. It has a second sentence too."
    for n, speaker in enumerate(["Host", "Guest"] * 6, start=1)
)


def assert_stopped_cleanly(job: RenderJob, settings) -> None:
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED and job.reservation.status == "released"
    assert not job.outputs.exists() and not hasattr(job, "usage")
    assert not (settings.RENDER_WORK_DIR / str(job.public_id)).exists()
    assert not [p for p in psutil.Process().children(recursive=True) if "ffmpeg" in p.name()]


def test_a_render_over_its_time_limit_stops_itself_before_the_worker_is_ended(owner, settings):
    # The pipeline stops at 3 s, half of the limit (30 s before, for real limits), leaving time for the
    # recogniser pass in flight (about a second) to end; every other step polls within a fraction of one.
    settings.RENDER_TIMEOUT = 6
    job = queue(owner, body=LONG_SCRIPT, kind=RenderJob.Kind.VIDEO)
    # django-q2's own alarm at RENDER_TIMEOUT: had the pipeline not stopped first, TimeoutException fails this.
    with TimeoutHandler(settings.RENDER_TIMEOUT):
        run_job(job.pk)
    assert_stopped_cleanly(job, settings)
    stage, _, message = job.error.partition(": ")
    assert stage in {"narrate", "captions", "storyboard", "compose"}
    assert message == "the render took longer than 6 s and was stopped."


def test_the_workers_alarm_inside_a_stage_fails_the_job_without_waiting_for_the_rest(owner, settings, monkeypatch):
    from mediakit.speech.engines.piper.engine import PiperEngine

    job = queue(owner, body=LONG_SCRIPT)
    said = []
    speak = PiperEngine.synthesize
    monkeypatch.setattr(
        PiperEngine, "synthesize", lambda self, *args, **kwargs: said.append(args) or speak(self, *args, **kwargs)
    )
    # A step that does not poll ran past the pipeline's own deadline: django-q2 raises TimeoutException.
    with pytest.raises(TimeoutException), TimeoutHandler(1):
        run_job(job.pk)
    assert_stopped_cleanly(job, settings)
    assert job.error == "narrate: the render took longer than 1800 s and was stopped."
    assert len(said) < 24  # the units not yet started were dropped, not synthesised first


def test_a_job_that_cannot_be_set_up_fails_instead_of_hanging(owner):
    job = queue(owner)
    RenderJob.objects.filter(pk=job.pk).update(options={})  # e.g. a row written by an older version
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED and job.reservation.status == "released"
    assert job.error == "setup: no voice was frozen for Host; submit the script again"


def test_a_failed_job_retried_reuses_its_narration_and_succeeds(owner, monkeypatch, owner_client):
    from django.urls import reverse

    from mediakit.errors import StageError
    from mediakit.pipeline.stages import compose

    job = queue(owner, body="Host: One line.\nGuest: Another line.", kind=RenderJob.Kind.VIDEO)
    RenderJob.objects.filter(pk=job.pk).update(options={**job.options, "height": 240})
    real_compose = compose.run

    def broken_ffmpeg(ctx):
        raise StageError("ffmpeg was killed")

    monkeypatch.setattr(compose, "run", broken_ffmpeg)  # stands in for a crashed encoder
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED and job.reservation.status == "released"

    monkeypatch.setattr(compose, "run", real_compose)
    response = owner_client.post(reverse("renders:job_retry", args=[job.public_id]), follow=True)
    assert "Retrying" in response.content.decode()
    job.refresh_from_db()
    assert job.status == RenderJob.Status.QUEUED and job.reservation.status == "held"
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.SUCCEEDED and job.error == ""
    assert all(unit["cached"] for block in job.report["blocks"] for unit in block["units"])
    assert job.outputs.filter(kind="mp4").exists() and job.reservation.status == "settled"


def test_only_failed_jobs_can_be_retried(owner, owner_client):
    from django.urls import reverse

    job = queue(owner)
    response = owner_client.post(reverse("renders:job_retry", args=[job.public_id]), follow=True)
    assert "Only a failed render can be retried; this one queued." in response.content.decode()


def test_jobs_without_a_heartbeat_that_ran_too_long_are_failed_and_release_their_quota(owner, outsider, settings):
    from datetime import timedelta

    from django.utils import timezone

    from renders import tasks
    from tests.factories import make_member

    long_ago = timezone.now() - timedelta(seconds=settings.RENDER_STALE_AFTER + 60)
    # Three workspaces: the Free plan runs one job at a time. No heartbeat: like the drop-in API's speech jobs.
    dead, alive, waiting = queue(owner), queue(outsider), queue(make_member("third@example.com"))
    RenderJob.objects.filter(pk=dead.pk).update(status=RenderJob.Status.RUNNING, stage="narrate", started_at=long_ago)
    RenderJob.objects.filter(pk=alive.pk).update(status=RenderJob.Status.RUNNING, started_at=timezone.now())
    RenderJob.objects.filter(pk=waiting.pk).update(created_at=long_ago)  # queued jobs have no worker yet
    tasks.sweep_jobs()  # what the worker's schedule runs
    for job in (dead, alive, waiting):
        job.refresh_from_db()
    assert dead.status == RenderJob.Status.FAILED and dead.reservation.status == "released"
    assert dead.error == "narrate: the render stopped unexpectedly; retry it."
    assert alive.status == RenderJob.Status.RUNNING and alive.reservation.status == "held"
    assert waiting.status == RenderJob.Status.QUEUED


def test_the_worker_schedule_sweeps_jobs_every_minute():
    import importlib

    from django.apps import apps
    from django_q.models import Schedule

    older = importlib.import_module("renders.migrations.0004_stale_job_schedule")
    migration = importlib.import_module("renders.migrations.0005_worker_heartbeat")
    older.create_schedule(apps, None)
    install = migration.replace_schedule(migration.OLD, migration.NEW)
    install(apps, None)
    install(apps, None)  # idempotent
    schedule = Schedule.objects.get(name="renders.sweep_jobs")
    assert schedule.func == "renders.tasks.sweep_jobs" and schedule.schedule_type == Schedule.MINUTES
    assert schedule.repeats == -1 and schedule.minutes == 1
    assert not Schedule.objects.filter(name="renders.fail_stale_jobs").exists()


def test_a_double_clicked_retry_queues_the_job_once(owner, django_capture_on_commit_callbacks):
    from billing.models import Plan, WorkspacePlan
    from renders.services import retry_job

    job = queue(owner)
    actions.fail_job(job, "compose: ffmpeg was killed")
    # A plan that runs several jobs at once, so only the job's own state can refuse the second click.
    Plan.objects.filter(pk=WorkspacePlan.objects.get(workspace=job.workspace).plan_id).update(concurrent_jobs=5)
    first_click, second_click = RenderJob.objects.get(pk=job.pk), RenderJob.objects.get(pk=job.pk)
    with django_capture_on_commit_callbacks() as enqueued:
        retry_job(first_click)
        with pytest.raises(Refused, match="Only a failed render can be retried; this one queued"):
            retry_job(second_click)  # loaded before the first retry committed: it still says failed
    job.refresh_from_db()
    assert job.status == RenderJob.Status.QUEUED and job.reservation.status == "held"
    assert sum("enqueue_on_commit" in callback.__qualname__ for callback in enqueued) == 1  # one render task
