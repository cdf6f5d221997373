"""Lanes: short work on the fast cluster, retryable failures tried again later with a growing wait."""

import ast
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule

import lanes
from tests.security.servers import production_settings

CALLS: list[tuple] = []


def flaky(*args):
    CALLS.append(args)
    raise lanes.Retryable("the vendor is down")


def broken(*args):
    raise ValueError("a bug")


def works(*args):
    return sum(args)


@pytest.fixture(autouse=True)
def retry_settings(settings):
    settings.TASK_RETRY_ATTEMPTS = 3
    settings.TASK_RETRY_BASE_SECONDS = 10.0
    settings.TASK_RETRY_MAX_SECONDS = 25.0
    CALLS.clear()


def test_the_wait_doubles_each_attempt_up_to_the_cap_with_a_little_jitter():
    for attempt, base in ((1, 10.0), (2, 20.0), (3, 25.0), (9, 25.0)):
        assert base <= lanes.backoff(attempt) <= base * 1.1


@pytest.mark.django_db
def test_a_retryable_failure_is_scheduled_again_on_its_lane_after_the_wait():
    lanes.run_retrying("lanes.tests.test_lanes.flaky", (7, "x"), lanes.FAST, 1)
    retry = Schedule.objects.get()
    assert retry.func == lanes.RETRY_TASK and retry.cluster == settings.FAST_CLUSTER
    assert ast.literal_eval(retry.args) == ("lanes.tests.test_lanes.flaky", (7, "x"), "fast", 2)
    wait = retry.next_run - timezone.now()
    assert timedelta(seconds=9) < wait <= timedelta(seconds=11)
    assert retry.schedule_type == Schedule.ONCE and retry.repeats < 0  # deleted once it has run


@pytest.mark.django_db
def test_the_last_attempt_fails_for_good_and_schedules_nothing():
    with pytest.raises(lanes.Retryable):
        lanes.run_retrying("lanes.tests.test_lanes.flaky", (), lanes.RENDER, 3)
    assert not Schedule.objects.exists()


@pytest.mark.django_db
def test_a_bug_is_not_retried():
    with pytest.raises(ValueError):
        lanes.run_retrying("lanes.tests.test_lanes.broken", (), lanes.FAST, 1)
    assert not Schedule.objects.exists()


@pytest.mark.django_db
def test_a_task_that_works_returns_its_answer():
    assert lanes.run_retrying("lanes.tests.test_lanes.works", (1, 2), lanes.FAST, 1) == 3


@pytest.mark.django_db
def test_enqueue_retrying_runs_the_task_through_the_retry_wrapper_on_its_lane(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # queue for real (ORM broker)
    lanes.enqueue_retrying("lanes.tests.test_lanes.works", 1, 2, lane=lanes.FAST, task_name="sum")
    [task] = lanes.queued_tasks()
    assert task["func"] == lanes.RETRY_TASK and task["args"] == ("lanes.tests.test_lanes.works", (1, 2), "fast", 1)
    assert task["cluster"] == settings.FAST_CLUSTER


@pytest.mark.django_db
def test_the_queued_tasks_are_read_from_redis_when_it_is_the_broker(monkeypatch, redis_url):
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", None)  # what Q_BROKER=redis configures
    monkeypatch.setattr(Conf, "REDIS", redis_url)
    broker = get_broker(lanes.cluster_of(lanes.RENDER))
    try:
        lanes.enqueue("renders.tasks.render_job", 41, lane=lanes.RENDER)
        lanes.enqueue("renders.tasks.render_job", 42, lane=lanes.RENDER)
        assert [task["args"] for task in lanes.queued_tasks()] == [(41,), (42,)]
        assert not OrmQ.objects.exists()
        count, oldest = lanes.waiting(lanes.RENDER)  # what /healthz reads for the fast lane
        assert count == 2 and timezone.now() - timedelta(minutes=1) < oldest <= timezone.now()
        assert lanes.waiting(lanes.FAST) == (0, None)
    finally:
        broker.delete_queue()


def test_production_can_use_the_redis_broker():
    orm, redis = production_settings(
        "Q_CLUSTER.get('orm')", "Q_CLUSTER.get('redis')", Q_BROKER="redis", REDIS_URL="redis://cache:6379/0"
    )
    assert (orm, redis) == ("None", "redis://cache:6379/0")
    assert production_settings("Q_CLUSTER.get('orm')")[0] == "default"  # the ORM broker unless told
