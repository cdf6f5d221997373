"""Worker entry points (django-q2)."""

import stripe

import lanes
from billing import stripe_events

# Stripe could not be reached or asked us to slow down: the event stays unprocessed and is tried again later.
RETRYABLE_STRIPE_ERRORS = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)


def process_stripe_event(stored_pk: int) -> None:
    try:
        stripe_events.process_stripe_event(stored_pk)
    except RETRYABLE_STRIPE_ERRORS as error:
        raise lanes.Retryable(str(error)) from error
