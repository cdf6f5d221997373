"""Job state changes: which changes are allowed, and what clients hear of them."""

import pytest

from mediakit.text.script import parse_text
from renders import actions
from renders.models import RenderJob
from renders.services import create_job


def queue(owner) -> RenderJob:
    workspace = owner.memberships.get().workspace
    return create_job(workspace=workspace, blocks=parse_text("Host: Hello."), title="T", kind=RenderJob.Kind.AUDIO)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [RenderJob.Status.SUCCEEDED, RenderJob.Status.CANCELLED])
def test_a_job_that_ended_is_never_failed_afterwards(owner, status):
    job = queue(owner)
    RenderJob.objects.filter(pk=job.pk).update(status=status)
    job.reservation.status = "settled"
    job.reservation.save()
    actions.fail_job(job, "compose: a late error from a stale worker")
    job.refresh_from_db()
    assert job.status == status and job.error == "" and job.reservation.status == "settled"


@pytest.mark.django_db(transaction=True)  # real commits: the events are sent after them
def test_a_channel_layer_outage_costs_live_updates_not_the_render(owner, settings, caplog):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "omnivibe.channel_layer.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1"]}}
    }
    job = queue(owner)  # the test task queue is synchronous: this runs the render too
    job.refresh_from_db()
    assert job.status == RenderJob.Status.SUCCEEDED and job.reservation.status == "settled"
    assert "send_job_event" in caplog.text  # each lost event is logged
