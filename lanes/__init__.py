"""Where background work runs, and what happens when it fails for a reason that may pass.

Two django-q2 lanes (settings: Q_CLUSTER and its ALT_CLUSTERS): RENDER, the default cluster, for video renders and
long narrations; FAST (`settings.FAST_CLUSTER`, its own `qcluster` and workers) for everything short, so a preview,
a webhook or a Stripe event never waits behind a half-hour render. Callers name a lane; this module knows how.

A task that raises `Retryable` (a vendor unreachable, Stripe down) runs again after a growing wait when it was
queued with `enqueue_retrying`: TASK_RETRY_BASE_SECONDS, doubled each attempt up to TASK_RETRY_MAX_SECONDS,
TASK_RETRY_ATTEMPTS in all. The wait is a one-off django-q2 schedule on the same lane (no worker sleeps). Any
other exception fails the task at once: retrying a bug only repeats it.
"""

import logging
import random
import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.brokers import get_broker
from django_q.brokers.orm import ORM
from django_q.models import OrmQ, Schedule
from django_q.signing import BadSignature, SignedPackage
from django_q.tasks import async_task

logger = logging.getLogger(__name__)

Lane = Literal["render", "fast"]
RENDER: Lane = "render"
FAST: Lane = "fast"
RETRY_TASK = "lanes.run_retrying"


class Retryable(Exception):
    """A failure that may pass by itself (a timeout, a 5xx, a refused connection): worth trying again later."""


def cluster_of(lane: Lane) -> str:
    return settings.FAST_CLUSTER if lane == FAST else settings.Q_CLUSTER["name"]


def enqueue(func: str, *args: Any, lane: Lane, task_name: str | None = None) -> None:
    """Queue `func(*args)` on a lane (call it in `transaction.on_commit`: a worker may start at once)."""
    options: dict[str, Any] = {"cluster": cluster_of(lane)}
    if task_name:
        options["task_name"] = task_name[:100]
    async_task(func, *args, **options)


def enqueue_retrying(func: str, *args: Any, lane: Lane, task_name: str | None = None) -> None:
    """Like `enqueue`; a `Retryable` failure runs it again later with backoff. Args must be plain literals
    (numbers, strings, tuples of them): a waiting retry keeps them in its schedule's text."""
    enqueue(RETRY_TASK, func, tuple(args), lane, 1, lane=lane, task_name=task_name)


def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt `attempt` (1, 2, …): doubling, capped, with up to 10 % jitter so
    tasks that failed together (a vendor's outage) do not all come back in the same second."""
    base = min(settings.TASK_RETRY_BASE_SECONDS * 2 ** (attempt - 1), settings.TASK_RETRY_MAX_SECONDS)
    return base * (1 + random.random() / 10)


def run_retrying(func: str, args: tuple, lane: Lane, attempt: int) -> Any:
    """The task `enqueue_retrying` queues: runs `func`; on `Retryable`, schedules attempt + 1 or, out of
    attempts, fails (the broker records the failure for the admin)."""
    try:
        return import_string(func)(*args)
    except Retryable as error:
        if attempt >= settings.TASK_RETRY_ATTEMPTS:
            logger.error("%s%r failed %d times; giving up: %s", func, args, attempt, error)
            raise
        wait = backoff(attempt)
        logger.warning("%s%r failed (attempt %d), trying again in %.0f s: %s", func, args, attempt, wait, error)
        Schedule.objects.create(
            name=f"retry {attempt + 1} {uuid.uuid4().hex[:12]} {func}"[:100],
            func=RETRY_TASK,
            args=repr((func, tuple(args), lane, attempt + 1)),
            schedule_type=Schedule.ONCE,
            repeats=-1,  # django-q2 deletes a one-off schedule with negative repeats once it has run
            next_run=timezone.now() + timedelta(seconds=wait),
            cluster=cluster_of(lane),
        )
        return None


def waiting(lane: Lane) -> tuple[int, datetime | None]:
    """How many tasks wait in the lane's queue for a worker, and since when the oldest has waited (None: none)."""
    broker = get_broker(cluster_of(lane))
    if isinstance(broker, ORM):
        # A task taken by a worker has its lock pushed into the future; one still waiting is locked in the past.
        queued = OrmQ.objects.filter(key=broker.list_key, lock__lte=timezone.now())
        return queued.count(), queued.order_by("lock").values_list("lock", flat=True).first()
    count = broker.connection.llen(broker.list_key)
    oldest = broker.connection.lindex(broker.list_key, 0)  # Redis: pushed at the tail, taken from the head
    try:
        return count, SignedPackage.loads(oldest)["started"] if oldest else None  # when it was queued
    except (BadSignature, ValueError, TypeError, KeyError):
        return count, None


def queued_tasks() -> list[dict[str, Any]]:
    """Every task waiting in either lane's queue (func, args, …), whichever broker holds them: the sweep looks
    here for a queued render's task before sending another."""
    tasks = []
    for lane in (RENDER, FAST):
        broker = get_broker(cluster_of(lane))
        if isinstance(broker, ORM):
            payloads = OrmQ.objects.filter(key=broker.list_key).values_list("payload", flat=True)
        else:  # Redis: the lane's list
            payloads = broker.connection.lrange(broker.list_key, 0, -1)
        for payload in payloads:
            try:
                tasks.append(SignedPackage.loads(payload))
            except (BadSignature, ValueError, TypeError):
                continue  # not ours to read (another secret): it cannot be a task our workers would run either
    return tasks
