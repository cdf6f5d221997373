"""What a render tells operators: log lines naming its job and stage, stage times and verification in the metrics,
storage failures counted."""

import pytest

from mediakit.text.script import parse_text
from renders.models import RenderJob
from renders.services import create_job, run_job
from telemetry.models import Counter

pytestmark = pytest.mark.django_db


def queue(owner, body="Host: Hello there."):
    return create_job(workspace=owner.memberships.get().workspace, blocks=parse_text(body), title="T", kind="audio")


def counted(name: str, labels: str = "") -> float:
    row = Counter.objects.filter(name=name, labels=labels).first()
    return row.value if row else 0.0


def test_a_renders_stage_lines_carry_its_job_id_and_stage(owner, json_log):
    job = queue(owner)
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.SUCCEEDED
    started = [line for line in json_log() if line["message"] == "stage started"]
    assert [line["stage"] for line in started] == ["narrate", "captions"]
    assert {line["job_id"] for line in started} == {str(job.public_id)}
    assert {line["workspace"] for line in started} == {job.workspace_id}


def test_a_render_counts_its_stage_times_and_its_narrations_verification(owner):
    job = queue(owner)
    run_job(job.pk)
    job.refresh_from_db()
    narrate = job.report["stages"]["narrate"]
    assert counted("omnivibe_stage_duration_seconds_sum", "stage=narrate") == pytest.approx(narrate)
    buckets = Counter.objects.filter(name="omnivibe_stage_duration_seconds_bucket", labels__endswith=",stage=narrate")
    assert sum(buckets.values_list("value", flat=True)) == 1
    units = [unit for block in job.report["blocks"] for unit in block["units"]]
    assert counted("omnivibe_verification_retries") == sum(unit["tries"] - 1 for unit in units)
    assert counted("omnivibe_flagged_units") == sum(not unit["passed"] for unit in units)

    run_job(queue(owner).pk)  # the same narration again, from the speech cache: no new retries counted
    assert counted("omnivibe_verification_retries") == sum(unit["tries"] - 1 for unit in units)
    assert sum(buckets.values_list("value", flat=True)) == 2


def test_outputs_that_cannot_be_stored_fail_the_job_and_are_counted(owner, settings):
    job = queue(owner)
    jobs_folder = settings.MEDIA_ROOT / "workspaces" / str(job.workspace_id) / "jobs"
    jobs_folder.parent.mkdir(parents=True)
    jobs_folder.write_text("")  # a file where the outputs' folder goes: every output's write fails
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED
    assert job.error == "store: the outputs could not be stored; try again later (it has been logged)."
    assert counted("omnivibe_storage_errors_total", "operation=save") == 0  # (the exposition adds _total)
    assert counted("omnivibe_storage_errors", "operation=save") == 1
    assert not job.outputs.exists()
