"""Plan state from Stripe's verified webhook events: stored once, applied at most once, in Stripe's order."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import lanes
from accounts.models import Workspace
from billing import stripe_client
from billing.models import Plan, StripeEvent, WorkspacePlan
from billing.quota import locked_state

logger = logging.getLogger(__name__)

STRIPE_STATUSES = {
    "active": WorkspacePlan.Status.ACTIVE,
    "trialing": WorkspacePlan.Status.TRIALING,
    "past_due": WorkspacePlan.Status.PAST_DUE,
    "unpaid": WorkspacePlan.Status.PAST_DUE,
    "canceled": WorkspacePlan.Status.CANCELED,
    # Never paid: the first payment failed or waits for the customer's action, or was never made.
    "incomplete": WorkspacePlan.Status.INCOMPLETE,
    "incomplete_expired": WorkspacePlan.Status.INCOMPLETE,
    # A trial that ended without a payment method, when the trial is set to pause: Stripe bills nothing.
    "paused": WorkspacePlan.Status.INCOMPLETE,
}
# A Checkout session whose payment went through (or that needed none: a free trial, a 100 % coupon).
PAID_CHECKOUT = ("paid", "no_payment_required")

# A subscription Stripe still bills (past due included): a second Checkout would start another one.
LIVE_SUBSCRIPTION = (WorkspacePlan.Status.ACTIVE, WorkspacePlan.Status.TRIALING, WorkspacePlan.Status.PAST_DUE)


def record_stripe_event(event: dict[str, Any]) -> bool:
    """Store a verified event once and queue its handling. False for a replay: an event already applied
    changes nothing; one whose handling failed (a failed task never runs again) is queued again."""
    stored, created = StripeEvent.objects.get_or_create(
        event_id=event["id"], defaults={"type": event["type"], "payload": event}
    )
    if stored.processed_at is None:
        queue_stripe_event(stored)
    return created


def queue_stripe_event(stored: StripeEvent) -> None:
    """Have the worker apply a stored event; safe to repeat, it is applied at most once."""
    transaction.on_commit(
        lambda: lanes.enqueue_retrying(
            "billing.tasks.process_stripe_event", stored.pk, lane=lanes.FAST, task_name=f"stripe-{stored.event_id}"
        )
    )


def process_stripe_event(stored_pk: int) -> None:
    """Apply one stored event to the workspace's plan state, at most once (the worker may deliver twice)."""
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.select_for_update().get(pk=stored_pk)
            if stored.processed_at:
                return
            handler = EVENT_HANDLERS.get(stored.type)
            if handler:
                handler(stored.payload)
            stored.processed_at, stored.error = timezone.now(), ""
            stored.save(update_fields=["processed_at", "error"])
    except Exception as error:
        # Kept unprocessed with the reason, for the admin to see (and re-run once fixed).
        StripeEvent.objects.filter(pk=stored_pk).update(error=f"{type(error).__name__}: {error}"[:2000])
        raise


def _checkout_completed(event: dict[str, Any]) -> None:
    session = event["data"]["object"]
    workspace_id = session.get("client_reference_id") or (session.get("metadata") or {}).get("workspace_id")
    if not workspace_id or not Workspace.objects.filter(pk=workspace_id).exists():
        logger.warning("checkout %s names no workspace of ours", session.get("id"))
        return
    state = locked_state(int(workspace_id))
    state.stripe_customer_id = session.get("customer") or state.stripe_customer_id
    state.stripe_subscription_id = session.get("subscription") or state.stripe_subscription_id
    if session.get("payment_status") not in PAID_CHECKOUT:
        # E.g. a bank debit still on its way: the plan starts when Stripe says it is paid
        # (checkout.session.async_payment_succeeded, or the subscription turning active).
        logger.info("checkout %s completed unpaid (%s)", session.get("id"), session.get("payment_status"))
        state.save()
        return
    state.status, state.grace_until = WorkspacePlan.Status.ACTIVE, None
    state.plan = _plan_for(price_id="", slug=(session.get("metadata") or {}).get("plan", "")) or state.plan
    if state.stripe_subscription_id:
        # The subscription's own status and period decide. If Stripe cannot be reached, StripeError rolls the
        # whole event back (the plan is unchanged) and leaves it unprocessed, to be processed again.
        _apply_subscription(state, stripe_client.retrieve_subscription(state.stripe_subscription_id))
    state.save()


def _invoice_state(event: dict[str, Any]) -> WorkspacePlan | None:
    """The plan an invoice event is about, if it is about the current subscription and not stale."""
    invoice = event["data"]["object"]
    subscription_id = _invoice_subscription(invoice)
    state = _state_for(subscription_id, invoice.get("customer"))
    if state is None or not _is_current(state, subscription_id) or _is_stale(state, event):
        return None
    return state


def _payment_failed(event: dict[str, Any]) -> None:
    state = _invoice_state(event)
    if state is None:
        return
    if state.status != WorkspacePlan.Status.PAST_DUE:  # retries of the same invoice never extend the grace
        state.status = WorkspacePlan.Status.PAST_DUE
        state.grace_until = timezone.now() + timedelta(days=settings.BILLING_GRACE_DAYS)
        state.save()


def _payment_succeeded(event: dict[str, Any]) -> None:
    state = _invoice_state(event)
    if state is None:
        return
    if state.status == WorkspacePlan.Status.PAST_DUE:
        state.status, state.grace_until = WorkspacePlan.Status.ACTIVE, None
        state.save()


def _subscription_changed(event: dict[str, Any]) -> None:
    subscription = event["data"]["object"]
    state = _state_for(subscription.get("id"), subscription.get("customer"))
    if state is None or _is_stale(state, event):
        return
    if not _is_current(state, subscription.get("id")) and not _replaces_current(state, subscription):
        return
    _apply_subscription(state, subscription)
    _mark_applied(state, event)
    state.save()


def _subscription_deleted(event: dict[str, Any]) -> None:
    subscription = event["data"]["object"]
    state = _state_for(subscription.get("id"), subscription.get("customer"))
    if state is None or not _is_current(state, subscription.get("id")) or _is_stale(state, event):
        return
    ended = subscription.get("ended_at")
    state.status = WorkspacePlan.Status.CANCELED
    state.current_period_end = _timestamp(ended) if ended else timezone.now()  # over now: Free from here
    _mark_applied(state, event)
    state.save()


def _apply_subscription(state: WorkspacePlan, subscription: dict[str, Any]) -> None:
    state.stripe_subscription_id = subscription.get("id") or state.stripe_subscription_id
    items = (subscription.get("items") or {}).get("data") or [{}]
    # Since API 2025-03 the period lives on the subscription item; older versions keep it on the subscription.
    start = items[0].get("current_period_start") or subscription.get("current_period_start")
    end = items[0].get("current_period_end") or subscription.get("current_period_end")
    if start and end:
        state.current_period_start, state.current_period_end = _timestamp(start), _timestamp(end)
    price_id = (items[0].get("price") or {}).get("id", "")
    state.plan = _plan_for(price_id=price_id, slug=(subscription.get("metadata") or {}).get("plan", "")) or state.plan
    status = STRIPE_STATUSES.get(subscription.get("status", ""), state.status)
    if subscription.get("cancel_at_period_end") and status != WorkspacePlan.Status.PAST_DUE:
        status = WorkspacePlan.Status.CANCELED  # still the paid plan until current_period_end, then Free
    if status == WorkspacePlan.Status.PAST_DUE and state.status != WorkspacePlan.Status.PAST_DUE:
        state.grace_until = timezone.now() + timedelta(days=settings.BILLING_GRACE_DAYS)
    elif status != WorkspacePlan.Status.PAST_DUE:
        state.grace_until = None
    state.status = status


def _state_for(subscription_id: str | None, customer_id: str | None) -> WorkspacePlan | None:
    found = None
    if subscription_id:
        found = WorkspacePlan.objects.filter(stripe_subscription_id=subscription_id).first()
    if found is None and customer_id:
        found = WorkspacePlan.objects.filter(stripe_customer_id=customer_id).first()
    if found is None:
        logger.warning("no workspace for Stripe subscription %s / customer %s", subscription_id, customer_id)
        return None
    return locked_state(found.workspace_id)


def _is_current(state: WorkspacePlan, subscription_id: str | None) -> bool:
    """Whether an event is about the subscription the workspace's plan follows. Another subscription of the
    same customer (a duplicate, an old one) must not move the plan."""
    return not subscription_id or not state.stripe_subscription_id or subscription_id == state.stripe_subscription_id


def _replaces_current(state: WorkspacePlan, subscription: dict[str, Any]) -> bool:
    # A live subscription taken out after the current one stopped being live (e.g. in the portal or the
    # Stripe dashboard, without our Checkout) becomes the one the plan follows.
    live = (WorkspacePlan.Status.ACTIVE, WorkspacePlan.Status.TRIALING)
    return STRIPE_STATUSES.get(subscription.get("status", "")) in live and state.status not in live


def _is_stale(state: WorkspacePlan, event: dict[str, Any]) -> bool:
    """Stripe does not deliver in order: an event created before the last subscription event applied is
    already reflected in it (a late "updated" must not bring back a deleted subscription)."""
    created = event.get("created")
    return bool(created and state.stripe_event_created and _timestamp(created) < state.stripe_event_created)


def _mark_applied(state: WorkspacePlan, event: dict[str, Any]) -> None:
    if event.get("created"):
        state.stripe_event_created = _timestamp(event["created"])


def _invoice_subscription(invoice: dict[str, Any]) -> str | None:
    # Newer API versions moved the subscription under parent.subscription_details.
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return invoice.get("subscription") or details.get("subscription")


def _plan_for(*, price_id: str, slug: str) -> Plan | None:
    for plan in Plan.objects.exclude(slug=Plan.FREE):
        if price_id and plan.price_id == price_id:
            return plan
    return Plan.objects.filter(slug=slug).exclude(slug=Plan.FREE).first() if slug else None


def _timestamp(value: int) -> datetime:
    return datetime.fromtimestamp(int(value), tz=UTC)


EVENT_HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.async_payment_succeeded": _checkout_completed,
    "invoice.payment_failed": _payment_failed,
    "invoice.paid": _payment_succeeded,
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_deleted,
}
