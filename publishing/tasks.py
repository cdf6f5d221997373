"""django-q2 entry points: thin wrappers, the work is in publishing.publish."""

from publishing import metrics, services
from publishing import publish as publishing


def publish(publication_id: int) -> None:
    publishing.publish(publication_id)


def publish_due() -> None:
    publishing.publish_due()


def draft_row(row_id: int) -> None:
    services.draft_row(row_id)


def fail_stale_drafting_rows() -> None:
    services.fail_stale_drafting_rows()


def fetch_metrics() -> None:
    metrics.fetch_all()
