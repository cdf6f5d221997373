"""Error reports to Sentry when SENTRY_DSN is set (off otherwise: nothing is sent anywhere).

What reaches it: exceptions of requests (the SDK's Django integration), exceptions of django-q2 tasks
(`TaskErrorReporter`), and lines logged at ERROR or above (its logging integration: a render that crashed is
logged with its traceback, then failed). Each event is tagged with the log context of the moment (request id,
workspace, job id, stage, task: omnivibe/logs.py), so a report and its log lines can be found from each other.
No personal data is sent (no cookies, headers' values, users' addresses).
"""

import logging

import sentry_sdk
import structlog
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration


def _tag_with_log_context(event: dict, hint: dict) -> dict:
    tags = event.setdefault("tags", {})
    for key, value in structlog.contextvars.get_contextvars().items():
        tags.setdefault(key, str(value))
    return event


def init_sentry(dsn: str, *, environment: str, release: str | None, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        # send_default_pii left at its default (off): no cookies, users or request bodies are sent.
        integrations=[DjangoIntegration(), LoggingIntegration(level=logging.INFO, event_level=logging.ERROR)],
        before_send=_tag_with_log_context,
    )


class TaskErrorReporter:
    """django-q2 calls `report()` inside its `except` block when a task raises: the exception is still current."""

    def report(self) -> None:
        sentry_sdk.capture_exception()


def report_task_failures() -> None:
    """Give django-q2's workers our reporter. django-q2 loads reporters only from installed packages' entry points
    (`Q_CLUSTER["error_reporter"]`), and the one package that offers Sentry starts a second client of its own;
    its workers read the module's `error_reporter` when a task fails, so ours is set there."""
    from django_q import conf, worker

    if worker.error_reporter is None:
        worker.error_reporter = conf.ErrorReporter([TaskErrorReporter()])
