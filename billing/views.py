import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.access import RoleRequired, has_role, member_workspace
from accounts.models import Workspace
from accounts.roles import Action, roles_for
from billing import checkout, limits, selectors, stripe_client
from billing.models import Plan
from billing.storage import storage_of
from billing.stripe_events import record_stripe_event

logger = logging.getLogger(__name__)


def _return_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("billing:page"))


def _to_portal(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    try:
        url = checkout.portal_url(workspace=workspace, return_url=_return_url(request))
    except checkout.BillingUnavailable as error:
        messages.error(request, str(error))
        return redirect("billing:page")
    return redirect(url)


@login_required
def billing_page(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request)
    state = selectors.plan_state_of(workspace)
    summary = selectors.usage_summary(workspace, state=state)
    storage = storage_of(workspace)
    return render(
        request,
        "billing/billing.html",
        {
            "workspace": workspace,
            "summary": summary,
            "seats": limits.seats_of(workspace),
            "state": state,
            "retention_days": selectors.effective_plan(state, timezone.now()).output_retention_days,
            "plans": selectors.plans_on_offer(),
            "history": selectors.monthly_history(workspace),
            "entries": selectors.recent_entries(workspace),
            "storage": storage,
            "storage_total": sum(use.bytes for use in storage),
            "payments_configured": stripe_client.payments_configured(),
            "is_owner": has_role(workspace, request.user, roles_for(Action.MANAGE_BILLING)),
        },
    )


@login_required
@require_POST
def upgrade(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_object_or_404(Plan, slug=slug)
    try:  # only a workspace's owners change what it pays for
        workspace = member_workspace(request, roles=roles_for(Action.MANAGE_BILLING))
    except RoleRequired:
        messages.error(request, "Only the workspace's owner can change its plan.")
        return redirect("billing:page")
    try:
        url = checkout.checkout_url(
            workspace=workspace, plan=plan, email=request.user.email, return_url=_return_url(request)
        )
    except checkout.AlreadySubscribed as error:
        messages.info(request, str(error))
        return _to_portal(request, workspace)
    except checkout.BillingUnavailable as error:
        messages.error(request, str(error))
        return redirect("billing:page")
    return redirect(url)


@login_required
@require_POST
def manage(request: HttpRequest) -> HttpResponse:
    try:
        workspace = member_workspace(request, roles=roles_for(Action.MANAGE_BILLING))
    except RoleRequired:
        messages.error(request, "Only the workspace's owner can manage its billing.")
        return redirect("billing:page")
    return _to_portal(request, workspace)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's signed events. Verified here with the SDK (no DEBUG-only secret override); handled by a task."""
    if not settings.DJSTRIPE_WEBHOOK_SECRET:
        return HttpResponse("Stripe webhooks are not configured.", status=503, content_type="text/plain")
    try:
        event = stripe.Webhook.construct_event(
            request.body.decode("utf-8"),
            request.headers.get("Stripe-Signature", ""),
            settings.DJSTRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
        )
    except (ValueError, UnicodeDecodeError):
        return HttpResponse("The body is not a Stripe event.", status=400, content_type="text/plain")
    except stripe.SignatureVerificationError:
        logger.warning("Stripe webhook with a bad or expired signature refused")
        return HttpResponse("Bad or expired signature.", status=400, content_type="text/plain")
    payload = event.to_dict()
    data = payload.get("data")
    if not isinstance(payload.get("id"), str) or not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return HttpResponse("The body is not a Stripe event.", status=400, content_type="text/plain")
    created = record_stripe_event(payload)
    return HttpResponse("ok" if created else "already received", content_type="text/plain")
