"""A series row whose AI draft never finishes (its fast-lane task died) is not left drafting forever: past
WRITER_DRAFT_STALE_AFTER the `publishing.fail_stale_drafting_rows` schedule fails it in plain words, the series
stops waiting on it, the creator can send it on again, and a task that answers late keeps nothing."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from django_q.models import Schedule

from publishing import services
from publishing.models import SeriesRow
from publishing.selectors import is_running
from scripts.models import Script
from tests.factories import SeriesFactory, SeriesRowFactory
from tests.fixtures import configure_llm

pytestmark = pytest.mark.django_db
Status = SeriesRow.Status
SCRIPT = "# Rain\nHost: Rain is just clouds letting go, one speck of dust at a time.\nHost: Follow for more."
STOPPED = "The AI writer stopped answering; nothing was saved. Send the row on again to retry."


def a_row(series, status: str, age: timedelta, **fields) -> SeriesRow:
    row = SeriesRowFactory(series=series, status=status, topic="Rain", **fields)
    SeriesRow.objects.filter(pk=row.pk).update(updated_at=timezone.now() - age)
    return row


def run_the_schedule() -> None:
    importlib.import_module("publishing.tasks").fail_stale_drafting_rows()


def test_a_row_drafting_past_the_limit_is_failed_and_the_series_stops_waiting_on_it(settings):
    settings.WRITER_DRAFT_STALE_AFTER = 600
    series = SeriesFactory()
    stuck = a_row(series, Status.DRAFTING, timedelta(seconds=601), script=None, job=None)
    reviewed = a_row(series, Status.REVIEW, timedelta(hours=1))

    run_the_schedule()

    stuck.refresh_from_db()
    assert (stuck.status, stuck.error, stuck.script) == (Status.FAILED, STOPPED, None)
    assert SeriesRow.objects.get(pk=reviewed.pk).status == Status.REVIEW
    assert not is_running(list(series.rows.all()))


def test_a_row_drafting_within_the_limit_and_other_old_rows_are_left_alone(settings):
    settings.WRITER_DRAFT_STALE_AFTER = 600
    series = SeriesFactory()
    young = a_row(series, Status.DRAFTING, timedelta(seconds=500), script=None, job=None)
    waiting = a_row(series, Status.WAITING, timedelta(hours=2), job=None)
    run_the_schedule()
    assert SeriesRow.objects.get(pk=young.pk).status == Status.DRAFTING
    assert SeriesRow.objects.get(pk=waiting.pk).status == Status.WAITING


def test_the_sweep_runs_every_minute_on_the_fast_lane():
    migration = importlib.import_module("publishing.migrations.0007_stale_drafting_rows_schedule")
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)  # idempotent
    schedule = Schedule.objects.get(name="publishing.fail_stale_drafting_rows")
    assert (schedule.func, schedule.minutes) == ("publishing.tasks.fail_stale_drafting_rows", 1)
    assert schedule.cluster == "fast"


def test_a_draft_that_answers_after_its_row_was_failed_keeps_nothing_and_the_row_can_be_sent_on_again(
    settings, fake_llm_server, monkeypatch, django_capture_on_commit_callbacks
):
    configure_llm(settings, fake_llm_server, "openai")
    settings.SERIES_DRAFT_SECONDS = 10
    fake_llm_server.reply(SCRIPT)
    row = a_row(SeriesFactory(), Status.DRAFTING, timedelta(0), script=None, job=None)
    scripts = Script.objects.count()
    written = services.ai_writer.draft

    def slow_draft(*args, **kwargs):
        result = written(*args, **kwargs)
        settings.WRITER_DRAFT_STALE_AFTER = -1  # meanwhile the schedule found the row stuck
        services.fail_stale_drafting_rows()
        return result

    monkeypatch.setattr(services.ai_writer, "draft", slow_draft)
    services.draft_row(row.pk)

    row.refresh_from_db()
    assert (row.status, row.error, row.script) == (Status.FAILED, STOPPED, None)
    assert Script.objects.count() == scripts and fake_llm_server.requests  # it did answer, too late

    queued = []
    monkeypatch.setattr(services.lanes, "enqueue", lambda task, *args, **kwargs: queued.append((task, *args)))
    with django_capture_on_commit_callbacks(execute=True):
        services.render_again(row)
    row.refresh_from_db()
    assert (row.status, row.error) == (Status.DRAFTING, "")  # back to the writer
    assert queued == [(services.DRAFT_ROW_TASK, row.pk)]


def test_with_no_writing_model_left_a_row_sent_on_again_gets_the_offline_outline_to_write(settings):
    settings.WRITER_DRAFT_STALE_AFTER = 600
    row = a_row(SeriesFactory(), Status.DRAFTING, timedelta(hours=1), script=None, job=None, title="Rain facts")
    run_the_schedule()  # and meanwhile the server's writer keys were removed

    services.render_again(SeriesRow.objects.get(pk=row.pk))

    row.refresh_from_db()
    assert (row.status, row.error) == (Status.NEEDS_SCRIPT, "")
    assert row.script.title == "Rain facts" and "[[Hook" in row.script.body
    assert row.script.campaign == row.series.campaign
