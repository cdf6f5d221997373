"""Metering: what a delivered job consumed goes into the usage ledger."""

from decimal import Decimal

from billing.models import UsageEntry


def record_usage(job, *, narration_seconds: float) -> UsageEntry:
    entry, _ = UsageEntry.objects.update_or_create(
        job=job,
        defaults={
            "workspace_id": job.workspace_id,
            "narration_seconds": Decimal(str(round(narration_seconds, 2))),
            "video_renders": 1 if job.kind == "video" else 0,
        },
    )
    return entry
