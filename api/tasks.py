"""django-q2 entry points: thin wrappers, the work is in api.webhooks."""

from api.webhooks import deliver


def deliver_webhook(job_id: int, attempt: int) -> None:
    deliver(job_id, attempt)
