"""A draft whose worker died is not left `writing` forever: past WRITER_DRAFT_STALE_AFTER it is failed in plain
words, when polled and by a schedule on the fast lane, and a worker that comes back late stores nothing."""

import importlib
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from django_q.models import Schedule

from tests.factories import workspace_of
from tests.fixtures import configure_llm
from writer import services
from writer.models import Draft

pytestmark = pytest.mark.django_db
GOOD = "# Tea\nAna: Tea is leaves in hot water, and that is the whole of it, really, for most people.\nAna: Done."
BRIEF = {"topic": "Tea", "platform": "shorts", "seconds": 8, "tone": "warm", "speakers": ["Ana"], "language": "en"}


def a_draft(owner, status: str, age: timedelta) -> Draft:
    row = Draft.objects.create(
        public_id=uuid.uuid4(), workspace=workspace_of(owner), user=owner, provider="openai", brief=BRIEF,
        status=status,
    )  # fmt: skip
    Draft.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)
    return row


@pytest.mark.parametrize("status", [Draft.QUEUED, Draft.WRITING])
def test_a_draft_stuck_past_the_limit_is_failed_when_polled(api, owner, settings, status):
    settings.WRITER_DRAFT_STALE_AFTER = 600
    row = a_draft(owner, status, timedelta(seconds=601))
    draft = api.get(f"/api/v1/drafts/{row.public_id}").json()
    assert draft["status"] == "failed" and "body" not in draft
    assert draft["error"] == {"code": "writer_stopped", "message": "The writer stopped answering; nothing was saved. "
                              "Try again."}  # fmt: skip


def test_a_draft_within_the_limit_is_still_writing(api, owner, settings):
    settings.WRITER_DRAFT_STALE_AFTER = 600
    row = a_draft(owner, Draft.WRITING, timedelta(seconds=500))
    assert api.get(f"/api/v1/drafts/{row.public_id}").json()["status"] == "writing"


def test_the_limit_is_derived_from_the_providers_time_limits():
    from omnivibe import settings as defaults

    assert defaults.WRITER_DRAFT_STALE_AFTER == 2 * (defaults.WRITER_DEADLINE + defaults.WRITER_TIMEOUT) + 60


def test_the_schedule_fails_stuck_drafts_of_every_workspace_and_leaves_the_rest(owner, outsider, settings):
    settings.WRITER_DRAFT_STALE_AFTER = 600
    stuck = [a_draft(owner, Draft.WRITING, timedelta(hours=1)), a_draft(outsider, Draft.QUEUED, timedelta(hours=1))]
    young = a_draft(owner, Draft.WRITING, timedelta(seconds=10))
    done = a_draft(owner, Draft.DONE, timedelta(hours=1))
    importlib.import_module("writer.tasks").fail_stale_drafts()
    assert {row.status for row in Draft.objects.filter(pk__in=[r.pk for r in stuck])} == {Draft.FAILED}
    assert Draft.objects.get(pk=young.pk).status == Draft.WRITING
    assert Draft.objects.get(pk=done.pk).status == Draft.DONE


def test_the_sweep_runs_every_minute_on_the_fast_lane():
    migration = importlib.import_module("writer.migrations.0003_stale_draft_schedule")
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)  # idempotent
    schedule = Schedule.objects.get(name="writer.fail_stale_drafts")
    assert (schedule.func, schedule.minutes, schedule.cluster) == ("writer.tasks.fail_stale_drafts", 1, "fast")


def test_a_worker_that_answers_after_its_draft_was_failed_stores_nothing(owner, settings, fake_llm_server, monkeypatch):
    configure_llm(settings, fake_llm_server, "openai")
    fake_llm_server.reply(GOOD)
    row = a_draft(owner, Draft.QUEUED, timedelta(0))
    written = services.draft

    def slow_draft(*args, **kwargs):
        result = written(*args, **kwargs)
        settings.WRITER_DRAFT_STALE_AFTER = 0  # meanwhile the poller was told it stopped
        services.fail_stale_drafts()
        return result

    monkeypatch.setattr(services, "draft", slow_draft)
    services.write_queued_draft(row.pk)
    row.refresh_from_db()
    assert (row.status, row.error_code, row.body) == (Draft.FAILED, "writer_stopped", "")
