"""Sentry: off without SENTRY_DSN; with it, crashes of requests and of django-q2 tasks arrive as exception events
(at a local fake of Sentry's ingestion endpoint, sent by the real SDK), tagged with the log context."""

import os
import subprocess
import sys

import pytest
import sentry_sdk
from django.conf import settings as django_settings
from django_q.tasks import async_task

from omnivibe.sentry import init_sentry, report_task_failures
from tests.fake_sentry import FakeSentry
from tests.security.servers import child_database_url

pytestmark = pytest.mark.django_db


def explode() -> None:
    """A django-q2 task with a bug."""
    raise ZeroDivisionError("a bug in a task")


@pytest.fixture
def fake_sentry():
    fake = FakeSentry()
    yield fake
    fake.close()


@pytest.fixture
def sentry_on(fake_sentry, monkeypatch):
    from django_q import worker

    monkeypatch.setattr(worker, "error_reporter", None)
    init_sentry(fake_sentry.dsn, environment="test", release=None, traces_sample_rate=0.0)
    report_task_failures()
    yield fake_sentry
    sentry_sdk.init()  # no DSN: the client has no transport and sends nothing again


@pytest.mark.urls("omnivibe.tests.urls")
def test_a_crashing_request_arrives_as_an_exception_event_with_its_request_id(client, sentry_on):
    client.raise_request_exception = False
    response = client.get("/test/crashes")
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)
    assert sentry_on.exceptions() == [("RuntimeError", "a bug in a view")]
    (event,) = sentry_on.events
    assert event["tags"]["request_id"] == response["X-Request-ID"] and event["environment"] == "test"
    assert "cookies" not in event.get("request", {})  # no personal data


def test_a_crashing_task_arrives_as_an_exception_event(sentry_on):
    with pytest.raises(ZeroDivisionError):
        async_task("omnivibe.tests.test_sentry.explode", sync=True)
    sentry_sdk.flush(timeout=10)
    assert ("ZeroDivisionError", "a bug in a task") in sentry_on.exceptions()


@pytest.mark.django_db(transaction=True)  # the other process records the task in the test database
def test_the_settings_turn_sentry_on_with_a_dsn_and_a_failing_task_is_reported(fake_sentry):
    # A fresh process, as a worker starts: SENTRY_DSN read by the settings, the reporter given to django-q2.
    code = (
        "import django; django.setup()\n"
        "from django_q.tasks import async_task\n"
        "try:\n"
        "    async_task('omnivibe.tests.test_sentry.explode', sync=True)\n"
        "except ZeroDivisionError:\n"
        "    pass\n"
        "import sentry_sdk; sentry_sdk.flush(timeout=10)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "omnivibe.settings_test",
        "DATABASE_URL": child_database_url(),
        "SENTRY_DSN": fake_sentry.dsn,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert fake_sentry.exceptions() == [("ZeroDivisionError", "a bug in a task")]
    assert fake_sentry.events[0]["environment"] == "production"


def test_without_a_dsn_nothing_is_set_up():
    assert django_settings.SENTRY_DSN == "" and sentry_sdk.get_client().transport is None
