"""Sending the customer to Stripe Checkout (a new subscription) and to the customer portal (changes)."""

import logging

import stripe

from accounts.models import Workspace
from billing import stripe_client
from billing.models import Plan, WorkspacePlan
from billing.stripe_events import LIVE_SUBSCRIPTION

logger = logging.getLogger(__name__)


class BillingUnavailable(Exception):
    """Checkout or the portal cannot be opened; the message says why, for the customer."""


class AlreadySubscribed(BillingUnavailable):
    """The workspace has a live subscription: plan changes go through the portal, not a second Checkout."""


def checkout_url(*, workspace: Workspace, plan: Plan, email: str, return_url: str) -> str:
    if not stripe_client.payments_configured():
        raise BillingUnavailable("Payments are not configured on this server yet; ask us to change your plan.")
    if plan.is_free or not plan.price_id:
        raise BillingUnavailable(f"The {plan.name} plan cannot be bought online; contact us to switch to it.")
    state = WorkspacePlan.objects.filter(workspace=workspace).first()
    if state and state.stripe_subscription_id and state.status in LIVE_SUBSCRIPTION:
        raise AlreadySubscribed("This workspace already has a subscription: change its plan in the billing portal.")
    try:
        return stripe_client.create_checkout_session(
            price_id=plan.price_id,
            workspace_id=workspace.pk,
            plan_slug=plan.slug,
            customer_id=state.stripe_customer_id if state else "",
            email=email,
            success_url=f"{return_url}?checkout=success",
            cancel_url=f"{return_url}?checkout=cancelled",
        )
    except stripe.StripeError as error:
        logger.warning("checkout for workspace %s failed: %s", workspace.pk, error)
        raise BillingUnavailable("Stripe could not open checkout just now; please try again in a minute.") from None


def portal_url(*, workspace: Workspace, return_url: str) -> str:
    if not stripe_client.payments_configured():
        raise BillingUnavailable("Payments are not configured on this server yet.")
    state = WorkspacePlan.objects.filter(workspace=workspace).first()
    if not state or not state.stripe_customer_id:
        raise BillingUnavailable("There is no paid subscription to manage yet: choose a plan first.")
    try:
        return stripe_client.create_portal_session(customer_id=state.stripe_customer_id, return_url=return_url)
    except stripe.StripeError as error:
        logger.warning("portal for workspace %s failed: %s", workspace.pk, error)
        raise BillingUnavailable("Stripe could not open the billing portal; please try again in a minute.") from None
