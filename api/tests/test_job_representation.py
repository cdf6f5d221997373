"""JobSerializer writes its fields out by hand (the API's hottest path): it must say exactly what DRF's own
field-by-field representation of the same declared fields says, for jobs in every state."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework import serializers

from api.models import WebhookDelivery
from api.serializers import JobSerializer, OutputSerializer, WebhookDeliverySerializer, with_outputs_and_deliveries
from renders.models import RenderJob, RenderOutput
from tests.factories import workspace_of

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def drf_representation(job: RenderJob, context: dict) -> dict:
    """What DRF makes of JobSerializer's declared fields, its nested outputs and deliveries included."""
    serializer = JobSerializer(job, context=context)
    data = serializers.ModelSerializer.to_representation(serializer, job)
    data["outputs"] = [
        serializers.ModelSerializer.to_representation(OutputSerializer(context=context), output)
        for output in job.outputs.all()
        if job.options.get("formats") is None or output.kind in job.options["formats"]
    ]
    data["webhook_deliveries"] = [
        serializers.ModelSerializer.to_representation(WebhookDeliverySerializer(), delivery)
        for delivery in job.webhook_deliveries.all()
    ]
    return data


def jobs(workspace) -> list[RenderJob]:
    now = timezone.now()
    queued = RenderJob.objects.create(workspace=workspace, title="Queued", blocks=[], options={})
    failed = RenderJob.objects.create(
        workspace=workspace, title="Failed", kind=RenderJob.Kind.AUDIO, blocks=[], status=RenderJob.Status.FAILED,
        stage="narrate", percent=40, error="The voice vendor refused the key.", started_at=now, finished_at=now,
        options={"callback_url": "https://example.com/hook"},
    )  # fmt: skip
    done = RenderJob.objects.create(
        workspace=workspace, title="Done «ünïcode»", blocks=[], status=RenderJob.Status.SUCCEEDED, stage="done",
        percent=100, started_at=now - timedelta(minutes=1), finished_at=now, options={"formats": ["mp4", "srt"]},
        report={"duration": 2.5, "blocks": [{"index": 0, "speaker": "Host", "start": 0.0, "duration": 2.5}]},
    )  # fmt: skip
    for kind in ("mp4", "wav", "srt"):
        output = RenderOutput(job=done, kind=kind, size=3)
        output.file.save(f"out.{kind}", ContentFile(b"abc"), save=True)
    WebhookDelivery.objects.create(job=failed, attempt=1, url="https://example.com/hook", error="timed out")
    WebhookDelivery.objects.create(
        job=failed, attempt=2, url="https://example.com/hook", status_code=200, succeeded=True, next_attempt_at=now
    )
    return [queued, failed, done]


def test_the_written_out_job_equals_drfs_own(owner):
    """As the API reads jobs (with_outputs_and_deliveries) and as the webhooks do (the related managers)."""
    made = jobs(workspace_of(owner))
    fetched = with_outputs_and_deliveries(list(RenderJob.objects.filter(pk__in=[job.pk for job in made])))
    for job in [*fetched, *RenderJob.objects.filter(pk__in=[job.pk for job in made])]:
        context = {"base_url": "https://video.example.com/"}
        assert JobSerializer(job, context=context).data == drf_representation(job, context)
    by_title = {job.title: JobSerializer(job, context=context).data for job in fetched}
    assert (
        len(by_title["Failed"]["webhook_deliveries"]) == 2 and by_title["Failed"]["webhook_deliveries"][0]["succeeded"]
    )
    assert [output["kind"] for output in by_title["Done «ünïcode»"]["outputs"]] == ["mp4", "srt"]  # as asked
