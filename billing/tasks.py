"""Worker entry points (django-q2)."""

from billing import stripe_events


def process_stripe_event(stored_pk: int) -> None:
    stripe_events.process_stripe_event(stored_pk)
