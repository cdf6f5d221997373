"""Signed job webhooks: POST the job JSON to its callback URL when it ends, retried with exponential backoff.

Signature header: `X-OmniVibe-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>`
(the scheme Stripe uses; docs/API.md shows a receiver).
"""

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

import httpx
from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

from api.callbacks import private_target
from api.keys import webhook_secret_for
from api.models import WebhookDelivery
from api.serializers import JobSerializer
from renders.models import RenderJob

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-OmniVibe-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt `attempt` (1-based): base, twice that, four times…"""
    return settings.WEBHOOK_RETRY_BASE * 2 ** (attempt - 1)


def queue_first_delivery(sender: type, job: RenderJob, **kwargs: object) -> None:
    """A job created with a callback URL has ended (renders.signals.job_ended, sent after commit)."""
    if job.options.get("callback_url"):
        async_task("api.tasks.deliver_webhook", job.pk, 1)


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
    refused = private_target(url, resolve=True)  # again now: DNS may have changed since the job was created
    if refused:
        delivery.error = f"not sent: {refused}"
        delivery.save()
        return delivery
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT)
        delivery.status_code = response.status_code
        delivery.succeeded = response.is_success
    except httpx.HTTPError as error:
        delivery.error = f"{type(error).__name__}: {error}"[:300]
    if not delivery.succeeded and attempt < settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=retry_delay(attempt))
        Schedule.objects.create(
            name=f"webhook-{job.public_id}-{attempt + 1}",
            func="api.tasks.deliver_webhook",
            args=f"{job.pk},{attempt + 1}",
            schedule_type=Schedule.ONCE,
            repeats=1,
            next_run=delivery.next_attempt_at,
        )
    delivery.save()
    if not delivery.succeeded:
        logger.info(
            "webhook for %s failed (attempt %s): %s", job.public_id, attempt, delivery.error or delivery.status_code
        )
    return delivery
