"""Quota and metering: reserve before a job is queued, settle what it delivered, release what it did not.

Every decision that reads "used + held" and writes a reservation or a ledger row runs inside
`transaction.atomic` holding the workspace's `WorkspacePlan` row lock (`select_for_update`), so two
submissions (or a submission and a settlement) never decide on the same figures. On PostgreSQL the
second transaction waits on the row lock; SQLite takes its single write lock at BEGIN (IMMEDIATE mode).
"""

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django_q.tasks import async_task

from billing import stripe_client
from billing.models import Plan, Reservation, StripeEvent, UsageEntry, WorkspacePlan
from billing.selectors import effective_plan, plan_state_of, usage_summary
from renders.models import RenderJob
from renders.pipeline.normalize import normalize
from renders.pipeline.script import Block
from studio.models import Workspace
from voices.models import Voice

logger = logging.getLogger(__name__)


class QuotaExceeded(Exception):
    """The workspace's plan cannot take this job. `needed`/`remaining` name the limit that refused it."""

    def __init__(self, message: str, *, needed: dict[str, Any], remaining: dict[str, Any]):
        super().__init__(message)
        self.message = message
        self.needed = needed
        self.remaining = remaining
        self.upgrade_url = reverse("billing:page")

    def as_html(self) -> str:
        """The refusal as a Studio message, with the way out."""
        return format_html('{} <a href="{}">See plans and upgrade</a>', self.message, self.upgrade_url)


class InvalidRenderOption(ValueError):
    """A render option the plan check cannot read (e.g. a height that is not a number)."""


@dataclass(frozen=True)
class Estimate:
    narration_seconds: Decimal
    video_renders: int


@dataclass(frozen=True)
class Admission:
    """A job the plan accepted: what to hold for it, the video height it must render at, and whether the
    video carries the OmniVibe watermark (plans like Free)."""

    workspace: Workspace
    cost: Estimate
    video_height: int
    watermark: bool

    def hold_for(self, job: RenderJob) -> Reservation:
        # update_or_create: a retried job holds its (released) reservation again.
        reservation, _ = Reservation.objects.update_or_create(
            job=job,
            defaults={
                "workspace": self.workspace,
                "narration_seconds": self.cost.narration_seconds,
                "video_renders": self.cost.video_renders,
                "status": Reservation.Status.HELD,
                "closed_at": None,
            },
        )
        return reservation


def estimate(blocks: list[Block], kind: str, options: dict[str, Any] | None = None) -> Estimate:
    """Narration at NARRATION_WORDS_PER_MINUTE plus the script's pauses, rounded up to whole seconds.

    Counts the words the voice will say, as the narrate stage normalises them: "$1,250" is six words. None
    for a storyboard's video, whose narration its "Prepare storyboard" job paid for.
    """
    renders = 1 if kind == RenderJob.Kind.VIDEO else 0
    if narration_paid_before(options or {}):
        return Estimate(Decimal(0), renders)
    language = (options or {}).get("language", "en")
    words = sum(len(normalize(block.text, language).spoken_text.split()) for block in blocks)
    pauses = sum(block.pause_after for block in blocks)
    seconds = math.ceil(words * 60 / settings.NARRATION_WORDS_PER_MINUTE + pauses)
    return Estimate(Decimal(max(seconds, 1)), renders)


def narration_paid_before(options: dict[str, Any]) -> bool:
    # Set by the server (renders.storyboards.render_video), never from a request. A regenerated block is
    # narration said afresh, so a storyboard video that regenerates one pays for its narration.
    return bool(options.get("storyboard_of")) and not options.get("regenerate_blocks")


def reserve(
    *, workspace: Workspace, blocks: list[Block], kind: str, options: dict[str, Any] | None = None
) -> Admission:
    """Check the plan for this job. Call inside the atomic block that creates the job, then
    `admission.hold_for(job)` in the same block: the row lock taken here lasts until it commits.

    Raises QuotaExceeded (nothing held, nothing to create) when the plan cannot take the job.
    """
    now = timezone.now()
    state = _locked_state(workspace.pk)
    plan = effective_plan(state, now)
    height = _video_height(kind, options or {}, plan)
    cost = estimate(blocks, kind, options)
    summary = usage_summary(workspace, state=state, now=now)

    running = summary["concurrent_jobs"]["running"]
    if running >= plan.concurrent_jobs:
        raise QuotaExceeded(
            f"Your {plan.name} plan runs {plan.concurrent_jobs} render(s) at a time and {running} are in progress. "
            "Wait for one to finish, or upgrade for more.",
            needed={"concurrent_jobs": running + 1},
            remaining={"concurrent_jobs": 0},
        )
    seconds_left = Decimal(str(summary["narration_seconds"]["remaining"]))
    if cost.narration_seconds > seconds_left:
        raise QuotaExceeded(
            f"This render needs about {_minutes(cost.narration_seconds)} of narration and your {plan.name} plan "
            f"has {_minutes(seconds_left)} left this period.",
            needed={"narration_seconds": float(cost.narration_seconds)},
            remaining={"narration_seconds": float(seconds_left)},
        )
    renders_left = summary["video_renders"]["remaining"]
    if cost.video_renders > renders_left:
        raise QuotaExceeded(
            f"Your {plan.name} plan has no video renders left this period "
            f"({plan.included_video_renders} included). Render audio only, or upgrade.",
            needed={"video_renders": cost.video_renders},
            remaining={"video_renders": renders_left},
        )
    return Admission(workspace=workspace, cost=cost, video_height=height, watermark=plan.watermark)


def settle(job: RenderJob, *, narration_seconds: float, narration_reused: bool = False) -> UsageEntry:
    """The job delivered: write what it actually used to the ledger and close its reservation. Settles once.

    The charge is the real duration, but never past the plan: the admission checked the reservation, not an
    overrun, so beyond its reservation a job is charged only what is left this period.
    `narration_reused`: every narration unit came from the speech cache. A storyboard's video then pays
    for no narration (its prepare job did); if any unit had to be synthesised again, it pays for all of it.
    """
    if narration_reused and narration_paid_before(job.options):
        narration_seconds = 0.0
    with transaction.atomic():
        state = _locked_state(job.workspace_id)
        settled = UsageEntry.objects.filter(job=job).first()
        if settled:
            return settled
        reserved = Reservation.objects.filter(job=job).values_list("narration_seconds", flat=True).first() or 0
        _close(job, Reservation.Status.SETTLED)  # first, so the job's own hold no longer counts as held
        left = Decimal(str(usage_summary(job.workspace, state=state)["narration_seconds"]["remaining"]))
        used = Decimal(str(round(narration_seconds, 2)))
        charged = min(used, max(reserved, left))
        return UsageEntry.objects.create(
            job=job,
            workspace_id=job.workspace_id,
            kind=UsageEntry.Kind.RENDER,
            narration_seconds=charged,
            video_renders=1 if job.kind == RenderJob.Kind.VIDEO else 0,
            note=f"Narration ran {_minutes(used)}; charged up to your plan's limit." if charged < used else "",
        )


def release(job: RenderJob) -> None:
    """The job failed or was cancelled: it consumes nothing. Safe to call more than once."""
    with transaction.atomic():
        _locked_state(job.workspace_id)
        _close(job, Reservation.Status.RELEASED)


def adjust(
    workspace: Workspace, *, narration_seconds: Decimal, video_renders: int, note: str, staff: Any
) -> UsageEntry:
    """A staff correction in the ledger; negative figures give usage back (a credit)."""
    with transaction.atomic():
        _locked_state(workspace.pk)
        return UsageEntry.objects.create(
            workspace=workspace,
            kind=UsageEntry.Kind.ADJUSTMENT,
            narration_seconds=narration_seconds,
            video_renders=video_renders,
            note=note,
            created_by=staff,
        )


def _locked_state(workspace_id: int) -> WorkspacePlan:
    # A workspace without a plan record is on Free: create the record so there is a row to lock.
    WorkspacePlan.objects.get_or_create(workspace_id=workspace_id, defaults={"plan": Plan.objects.free()})
    return WorkspacePlan.objects.select_for_update().select_related("plan").get(workspace_id=workspace_id)


def _close(job: RenderJob, status: str) -> None:
    Reservation.objects.filter(job=job, status=Reservation.Status.HELD).update(status=status, closed_at=timezone.now())


def _video_height(kind: str, options: dict[str, Any], plan: Plan) -> int:
    """The height asked for (checked against the plan), else the default capped at the plan's maximum."""
    asked = options.get("height")
    if asked is None:
        return min(settings.RENDER_VIDEO_HEIGHT, plan.max_video_height)
    try:
        height = int(asked)
    except (TypeError, ValueError):
        raise InvalidRenderOption(f"height must be a whole number of pixels, not {asked!r}") from None
    if height <= 0:
        raise InvalidRenderOption(f"height must be a positive number of pixels, not {height}")
    if kind == RenderJob.Kind.VIDEO and height > plan.max_video_height:
        raise QuotaExceeded(
            f"Your {plan.name} plan renders video up to {plan.max_video_height}p; {height}p needs a bigger plan.",
            needed={"video_height": height},
            remaining={"video_height": plan.max_video_height},
        )
    return height


def _minutes(seconds: Decimal) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


# --- Stripe: plan state from verified webhook events ----------------------------------------------
STRIPE_STATUSES = {
    "active": WorkspacePlan.Status.ACTIVE,
    "trialing": WorkspacePlan.Status.TRIALING,
    "past_due": WorkspacePlan.Status.PAST_DUE,
    "unpaid": WorkspacePlan.Status.PAST_DUE,
    "canceled": WorkspacePlan.Status.CANCELED,
    # Never paid: the first payment failed or waits for the customer's action, or was never made.
    "incomplete": WorkspacePlan.Status.INCOMPLETE,
    "incomplete_expired": WorkspacePlan.Status.INCOMPLETE,
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
        lambda: async_task("billing.tasks.process_stripe_event", stored.pk, task_name=f"stripe-{stored.event_id}")
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
    state = _locked_state(int(workspace_id))
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
    return _locked_state(found.workspace_id)


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


# --- Stripe: sending the customer to Checkout and to the customer portal --------------------------
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


def current_plan(workspace: Workspace) -> Plan:
    return effective_plan(plan_state_of(workspace), timezone.now())


def check_api_access(workspace: Workspace) -> None:
    """Raises QuotaExceeded when the workspace's plan does not include the API."""
    plan = current_plan(workspace)
    if not plan.api_access:
        raise QuotaExceeded(
            f"The {plan.name} plan does not include API access; upgrade to use the API.",
            needed={"api_access": True},
            remaining={"api_access": False},
        )


def check_voice_allowance(workspace: Workspace) -> None:
    """Raises QuotaExceeded when the workspace's voice library is as large as its plan allows."""
    plan = current_plan(workspace)
    count = Voice.objects.filter(workspace=workspace).count()
    if count >= plan.max_voices:
        raise QuotaExceeded(
            f"The {plan.name} plan holds {plan.max_voices} voices and this workspace has {count}; "
            "delete one or upgrade.",
            needed={"voices": count + 1},
            remaining={"voices": max(0, plan.max_voices - count)},
        )
