"""The calls we make to Stripe, through the official SDK. Nothing else in the project talks to Stripe."""

from typing import Any

import stripe
from django.conf import settings


class PaymentsNotConfigured(RuntimeError):
    pass


def payments_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def client() -> stripe.StripeClient:
    if not payments_configured():
        raise PaymentsNotConfigured("Payments are not configured on this server.")
    # One client per call: keys and base address come from settings, so tests can point them elsewhere.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE}, max_network_retries=1
    )


def create_checkout_session(
    *, price_id: str, workspace_id: int, plan_slug: str, customer_id: str, email: str, success_url: str, cancel_url: str
) -> str:
    """A subscription-mode Checkout session; returns the URL to send the customer to."""
    metadata = {"workspace_id": str(workspace_id), "plan": plan_slug}
    params: dict[str, Any] = {
        "mode": "subscription",
        "line_items": [{"price": price_id, "quantity": 1}],
        "client_reference_id": str(workspace_id),
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": metadata,
        "subscription_data": {"metadata": metadata},
    }
    if customer_id:
        params["customer"] = customer_id
    else:
        params["customer_email"] = email
    return client().v1.checkout.sessions.create(params=params).url


def create_portal_session(*, customer_id: str, return_url: str) -> str:
    return client().v1.billing_portal.sessions.create(params={"customer": customer_id, "return_url": return_url}).url


def retrieve_subscription(subscription_id: str) -> dict[str, Any]:
    return client().v1.subscriptions.retrieve(subscription_id).to_dict()
