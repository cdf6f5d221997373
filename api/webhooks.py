"""Signed job webhooks: POST the job JSON to its callback URL when it ends, retried with exponential backoff.

Deliveries run on the fast lane (`lanes.FAST`: its own `qcluster`, started with `Q_CLUSTER_NAME=fast`), so a
slow receiver never holds up a render; each attempt has one overall
deadline (`WEBHOOK_TIMEOUT`) and goes to the address that was checked (`lanes.outbound`).

Signature header: `X-OmniVibe-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>`
(the scheme Stripe uses; docs/API.md shows a receiver).
"""

import json
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule

import lanes
from api.keys import webhook_secret_for
from api.models import WebhookDelivery
from api.serializers import JobSerializer
from lanes.callbacks import TargetRefused, checked_address
from lanes.outbound import SIGNATURE_HEADER, PostFailed, post, sign
from renders.models import RenderJob
from telemetry import counters

logger = logging.getLogger(__name__)


def retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt `attempt` (1-based): base, twice that, four times…"""
    return settings.WEBHOOK_RETRY_BASE * 2 ** (attempt - 1)


def queue_first_delivery(sender: type, job: RenderJob, **kwargs: object) -> None:
    """A job created with a callback URL has ended (renders.signals.job_ended, sent after commit)."""
    if job.options.get("callback_url"):
        lanes.enqueue("api.tasks.deliver_webhook", job.pk, 1, lane=lanes.FAST)


def deliver(job_id: int, attempt: int) -> WebhookDelivery | None:
    """One delivery attempt; on failure the next one is scheduled until WEBHOOK_MAX_ATTEMPTS."""
    job = RenderJob.objects.select_related("workspace").prefetch_related("outputs").filter(pk=job_id).first()
    if job is None or not job.options.get("callback_url"):
        return None
    url = job.options["callback_url"]
    body = json.dumps(
        {"event": f"job.{job.status}", "job": JobSerializer(job, context={"base_url": settings.SITE_URL}).data},
        separators=(",", ":"),
    ).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "OmniVibe-Webhooks/1",
        SIGNATURE_HEADER: sign(webhook_secret_for(job.workspace), timestamp, body),
    }
    delivery = WebhookDelivery(job=job, attempt=attempt, url=url)
    try:
        address = checked_address(url)  # again now: DNS may have changed since the job was created
    except TargetRefused as refused:
        delivery.error = f"not sent: {refused}"
        delivery.save()
        counters.increment(counters.WEBHOOK_FAILURES, reason="refused")
        return delivery
    try:
        delivery.status_code = post(url, address, body, headers, deadline=settings.WEBHOOK_TIMEOUT)
        delivery.succeeded = 200 <= delivery.status_code < 300
        if not delivery.succeeded:
            redirect = 300 <= delivery.status_code < 400
            delivery.error = f"HTTP {delivery.status_code}" + (": redirects are not followed" if redirect else "")
    except PostFailed as failure:
        delivery.error = str(failure)
    if not delivery.succeeded:
        counters.increment(counters.WEBHOOK_FAILURES, reason="http" if delivery.status_code else "network")
    if not delivery.succeeded and attempt < settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=retry_delay(attempt))
        Schedule.objects.create(
            name=f"webhook-{job.public_id}-{attempt + 1}",
            func="api.tasks.deliver_webhook",
            args=f"{job.pk},{attempt + 1}",
            schedule_type=Schedule.ONCE,
            repeats=1,
            next_run=delivery.next_attempt_at,
            cluster=lanes.cluster_of(lanes.FAST),
        )
    delivery.save()
    if not delivery.succeeded:
        logger.info(
            "webhook for %s failed (attempt %s): %s", job.public_id, attempt, delivery.error or delivery.status_code
        )
    return delivery
