"""Worker entry points (django-q2)."""

from billing import services


def process_stripe_event(stored_pk: int) -> None:
    services.process_stripe_event(stored_pk)
