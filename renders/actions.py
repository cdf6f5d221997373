"""Every change to a render job that clients must hear about happens here.

The database row is the source of truth; after it commits, an event goes to the job's channel group (so nobody
hears of a rolled-back change): a bare "job changed", on which each subscriber re-reads the row, or, when only the
stage and percent moved (`report_progress` without a report), "job progress" carrying those two, which subscribers
push as they are without a read.
"""

import time
import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from lanes import events
from renders.models import RenderJob
from renders.quota import release_job
from renders.signals import job_ended as job_ended_signal

_last_progress: dict[int, float] = {}


def job_group(job: RenderJob) -> str:
    return f"job-{job.public_id}"


def notify(job: RenderJob) -> None:
    # The change's own id: the job's watchers in one web process read it once (renders/consumers.py).
    _send_on_commit(job_group(job), {"type": "job.changed", "change": uuid.uuid4().hex})


def notify_progress(job: RenderJob) -> None:
    """Only the stage and percent changed: they travel in the event (a few dozen bytes), nothing else does."""
    _send_on_commit(
        job_group(job),
        {"type": "job.progress", "job": str(job.public_id), "stage": job.stage, "percent": job.percent},
    )


def _send_on_commit(group: str, event: dict) -> None:
    def send_job_event() -> None:
        events.group_send(group, event)  # over the process's kept connection (lanes/events.py)

    # robust: a channel layer (Redis) blip is logged and costs a live update, never the render.
    transaction.on_commit(send_job_event, robust=True)


def job_ended(job: RenderJob) -> None:
    """After the end commits, whoever listens hears of it (the API sends a job's webhook)."""
    transaction.on_commit(lambda: job_ended_signal.send(sender=RenderJob, job=job))


def start_job(job: RenderJob, worker: str) -> bool:
    """Queued -> running on `worker`, one more attempt. False when the job is not queued (over, or already
    taken by another worker: the conditional UPDATE lets only one of two deliveries through).

    `started_at` keeps the first start of this try: a job queued again after its worker died keeps its clock.
    """
    now = timezone.now()
    updated = RenderJob.objects.filter(pk=job.pk, status=RenderJob.Status.QUEUED).update(
        status=RenderJob.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=Coalesce(F("started_at"), Value(now, output_field=models.DateTimeField())),
        heartbeat_at=now,
        worker=worker[:100],
        stage="",
        percent=0,
        error="",
    )
    if updated:
        job.refresh_from_db()
        notify(job)
    return bool(updated)


def record_heartbeat(job: RenderJob) -> bool:
    """The worker running this attempt is alive. False once the job is no longer this attempt's to run."""
    return bool(_this_attempt(job).update(heartbeat_at=timezone.now()))


def requeue_lost_job(job: RenderJob, notice: str) -> bool:
    """Running with a dead worker -> queued for another attempt, `notice` saying so on its page.

    False when it was not lost after all (its worker beat meanwhile) or someone else already handled it.
    """
    updated = RenderJob.objects.filter(RenderJob.lost_worker(), pk=job.pk, attempts=job.attempts).update(
        status=RenderJob.Status.QUEUED,
        queued_at=timezone.now(),
        stage="",
        percent=0,
        heartbeat_at=None,
        worker="",
        notice=notice[:200],
    )
    job.refresh_from_db()
    if updated:
        notify(job)
    return bool(updated)


def fail_lost_job(job: RenderJob, message: str) -> bool:
    """Running with a dead worker, out of attempts -> failed, its quota released (once, like `fail_job`)."""
    lost = RenderJob.objects.filter(RenderJob.lost_worker(), pk=job.pk, attempts=job.attempts)
    return _fail(job, lost, message)


def requeue_lost_task(job: RenderJob) -> bool:
    """A queued job whose broker task is gone is queued again (the caller sends a new task on commit)."""
    updated = RenderJob.objects.filter(pk=job.pk, status=RenderJob.Status.QUEUED, queued_at=job.queued_at).update(
        queued_at=timezone.now()
    )
    job.refresh_from_db()
    return bool(updated)


def report_progress(job: RenderJob, stage: str, percent: int, report: dict | None = None) -> None:
    """Throttled: a stage change always goes out, repeated percents at most every few hundred ms.

    On a stage change the report so far goes with it, so per-block results show while later stages run.
    """
    now = time.monotonic()
    if (
        stage == job.stage
        and percent < 100
        and now - _last_progress.get(job.pk, 0) < settings.RENDER_PROGRESS_MIN_INTERVAL
    ):
        return
    if (stage, percent) == (job.stage, job.percent):
        return
    changes = {"stage": stage, "percent": percent}
    if report is not None and stage != job.stage:
        changes["report"] = report
    _last_progress[job.pk] = now
    job.stage, job.percent = stage, percent
    if _this_attempt(job).update(**changes):
        if "report" in changes:
            notify(job)  # the block results change with it: the whole status is read again
        else:
            notify_progress(job)


def finish_job(job: RenderJob, report: dict) -> bool:
    """Running -> succeeded. False (nothing changed) when the job was cancelled meanwhile, or when this
    attempt lost it (its worker was taken for dead and another attempt runs it)."""
    finished_at = timezone.now()
    updated = _this_attempt(job).update(
        status=RenderJob.Status.SUCCEEDED, percent=100, report=report, finished_at=finished_at
    )
    _last_progress.pop(job.pk, None)
    if updated:  # else `job` stays as this attempt knew it: a later attempt's row is not its to touch
        job.refresh_from_db()
        notify(job)
        job_ended(job)
    return bool(updated)


def fail_job(job: RenderJob, message: str) -> bool:
    """Queued or running -> failed; a failed job consumes nothing, so its quota reservation is released.

    A job that already ended (succeeded, failed, cancelled), or that another attempt runs now, is left as it is.
    """
    active = RenderJob.objects.filter(
        pk=job.pk, status__in=[RenderJob.Status.QUEUED, RenderJob.Status.RUNNING], attempts=job.attempts
    )
    return _fail(job, active, message)


def _fail(job: RenderJob, rows: models.QuerySet[RenderJob], message: str) -> bool:
    updated = rows.update(status=RenderJob.Status.FAILED, error=message[:2000], finished_at=timezone.now())
    _last_progress.pop(job.pk, None)
    if updated:
        job.refresh_from_db()
        release_job(job)
        notify(job)
        job_ended(job)
    return bool(updated)


def _this_attempt(job: RenderJob) -> models.QuerySet[RenderJob]:
    # A worker taken for dead may still be alive (stopped, then resumed): it must not write over a later attempt.
    return RenderJob.objects.filter(pk=job.pk, status=RenderJob.Status.RUNNING, attempts=job.attempts)


def requeue_job(job: RenderJob) -> bool:
    """Failed -> queued again (a retry), with its error and progress cleared. False if it was not failed
    (e.g. a second click already requeued it)."""
    updated = RenderJob.objects.filter(pk=job.pk, status=RenderJob.Status.FAILED).update(
        status=RenderJob.Status.QUEUED,
        stage="",
        percent=0,
        error="",
        notice="",
        attempts=0,  # a retry by hand gets the full number of attempts again
        queued_at=timezone.now(),
        started_at=None,
        finished_at=None,
        heartbeat_at=None,
        worker="",
    )
    job.refresh_from_db()
    if updated:
        notify(job)
    return bool(updated)


def cancel_job(job: RenderJob) -> bool:
    """Queued or running -> cancelled; the worker notices within a second and stops. False if already over.

    A cancelled job consumes nothing: its reservation is released here (a queued job never reaches a worker).
    """
    updated = (
        RenderJob.objects.filter(pk=job.pk)
        .exclude(status__in=RenderJob.FINISHED)
        .update(status=RenderJob.Status.CANCELLED, finished_at=timezone.now())
    )
    job.refresh_from_db()
    if updated:
        release_job(job)
        notify(job)
        job_ended(job)
    return bool(updated)
