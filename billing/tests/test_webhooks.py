"""Stripe webhooks: only correctly signed, fresh events count; each event changes state once."""

import ast
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import stripe
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

import lanes
from accounts.models import AuditEntry
from billing.models import StripeEvent, WorkspacePlan
from billing.selectors import usage_summary
from billing.stripe_events import process_stripe_event

SECRET = "whsec_test_secret"
PERIOD_START, PERIOD_END = 1_800_000_000, 1_802_592_000  # 30 days


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.DJSTRIPE_WEBHOOK_SECRET = SECRET


def event(event_id: str, type_: str, obj: dict, created: int = PERIOD_START) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": type_,
        "created": created,
        "livemode": False,
        "data": {"object": obj},
    }


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """Sign and send like Stripe; the queued task runs (synchronously) as the request's commit would."""

    def send(payload: dict | str, *, secret: str = SECRET, timestamp: int | None = None, **headers):
        body = payload if isinstance(payload, str) else json.dumps(payload)
        signature = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("stripe_webhook"),
                body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=signature,
                **headers,
            )

    return send


def subscription(status: str = "active", **extra) -> dict:
    return {
        "id": "sub_1",
        "object": "subscription",
        "customer": "cus_1",
        "status": status,
        "cancel_at_period_end": False,
        "metadata": {"plan": "pro"},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1",
                    "price": {"id": "price_pro"},
                    "current_period_start": PERIOD_START,
                    "current_period_end": PERIOD_END,
                }
            ],
        },
        **extra,
    }


def checkout_completed(
    workspace, payment_status: str = "paid", event_id: str = "evt_checkout", type_: str = "checkout.session.completed"
) -> dict:
    return event(
        event_id,
        type_,
        {
            "id": "cs_1",
            "object": "checkout.session",
            "client_reference_id": str(workspace.pk),
            "customer": "cus_1",
            "subscription": "sub_1",
            "payment_status": payment_status,
            "metadata": {"workspace_id": str(workspace.pk), "plan": "pro"},
        },
    )


def test_the_whole_lifecycle_from_checkout_to_free(post, client, plans, workspace, fake_stripe):
    fake_stripe.routes[("GET", "/v1/subscriptions/sub_1")] = (200, subscription())

    assert post(checkout_completed(workspace)).status_code == 200
    state = WorkspacePlan.objects.get(workspace=workspace)
    assert (state.plan.slug, state.status) == ("pro", "active")
    assert (state.stripe_customer_id, state.stripe_subscription_id) == ("cus_1", "sub_1")
    assert int(state.current_period_end.timestamp()) == PERIOD_END
    assert fake_stripe.made("GET", "/v1/subscriptions/sub_1")[0]["headers"]["Authorization"] == "Bearer sk_test_fake"
    now = state.current_period_start + timedelta(days=3)
    assert usage_summary(workspace, now=now)["plan"]["slug"] == "pro"

    failed = {"id": "in_1", "object": "invoice", "customer": "cus_1", "subscription": "sub_1"}
    assert post(event("evt_failed", "invoice.payment_failed", failed)).status_code == 200
    state.refresh_from_db()
    # Each change is in the workspace's audit log, by OmniVibe (no person: Stripe said so).
    changes = AuditEntry.objects.filter(workspace=workspace, action="plan.changed").order_by("pk")
    assert [(entry.actor, entry.summary) for entry in changes] == [
        (None, "Plan: Pro (active) (was Free (active))"),
        (None, "Plan: Pro (past due) (was Pro (active))"),
    ]
    assert state.status == "past_due"
    assert abs(state.grace_until - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    assert usage_summary(workspace)["plan"]["slug"] == "pro"  # within the grace period
    assert usage_summary(workspace, now=state.grace_until + timedelta(seconds=1))["plan"]["slug"] == "free"

    cancelling = event("evt_updated", "customer.subscription.updated", subscription(cancel_at_period_end=True))
    assert post(cancelling).status_code == 200
    state.refresh_from_db()
    assert state.status == "canceled" and state.grace_until is None
    assert usage_summary(workspace, now=now)["plan"]["slug"] == "pro"  # paid until the period ends
    assert usage_summary(workspace, now=state.current_period_end)["plan"]["slug"] == "free"

    deleted = event("evt_deleted", "customer.subscription.deleted", subscription("canceled", ended_at=int(time.time())))
    assert post(deleted).status_code == 200
    state.refresh_from_db()
    assert state.status == "canceled"
    assert usage_summary(workspace)["plan"]["slug"] == "free"


def test_a_replayed_event_changes_nothing(post, client, plans, workspace, fake_stripe):
    fake_stripe.routes[("GET", "/v1/subscriptions/sub_1")] = (200, subscription())
    post(checkout_completed(workspace))
    WorkspacePlan.objects.filter(workspace=workspace).update(status="past_due")  # a later change

    again = post(checkout_completed(workspace))
    assert again.status_code == 200 and again.content == b"already received"
    assert WorkspacePlan.objects.get(workspace=workspace).status == "past_due"
    assert StripeEvent.objects.count() == 1
    process_stripe_event(StripeEvent.objects.get().pk)  # a task delivered twice
    assert WorkspacePlan.objects.get(workspace=workspace).status == "past_due"
    assert len(fake_stripe.made("GET", "/v1/subscriptions/sub_1")) == 1


def test_repeated_payment_failures_do_not_extend_the_grace_period(post, client, plans, workspace):
    WorkspacePlan.objects.create(workspace=workspace, plan=plans["pro"], stripe_customer_id="cus_1")
    failed = {"id": "in_1", "object": "invoice", "customer": "cus_1"}
    post(event("evt_1", "invoice.payment_failed", failed))
    first = WorkspacePlan.objects.get(workspace=workspace).grace_until
    post(event("evt_2", "invoice.payment_failed", failed))
    assert WorkspacePlan.objects.get(workspace=workspace).grace_until == first
    post(event("evt_3", "invoice.paid", failed))
    state = WorkspacePlan.objects.get(workspace=workspace)
    assert (state.status, state.grace_until) == ("active", None)


def test_events_about_another_subscription_of_the_customer_leave_the_plan_alone(post, client, plans, workspace):
    WorkspacePlan.objects.create(
        workspace=workspace, plan=plans["pro"], stripe_customer_id="cus_1", stripe_subscription_id="sub_1"
    )
    duplicate = subscription("past_due", id="sub_2", metadata={"plan": "creator"})
    post(event("evt_1", "customer.subscription.updated", duplicate))
    post(event("evt_2", "customer.subscription.deleted", {**duplicate, "status": "canceled"}))
    post(event("evt_3", "invoice.payment_failed", {"id": "in_2", "customer": "cus_1", "subscription": "sub_2"}))
    state = WorkspacePlan.objects.get(workspace=workspace)
    assert (state.plan.slug, state.status, state.stripe_subscription_id) == ("pro", "active", "sub_1")
    assert StripeEvent.objects.filter(processed_at__isnull=False).count() == 3


def test_a_new_live_subscription_replaces_one_that_ended(post, client, plans, workspace):
    WorkspacePlan.objects.create(
        workspace=workspace,
        plan=plans["creator"],
        status="canceled",
        stripe_customer_id="cus_1",
        stripe_subscription_id="sub_1",
    )
    post(event("evt_1", "customer.subscription.created", subscription(id="sub_2")))
    state = WorkspacePlan.objects.get(workspace=workspace)
    assert (state.plan.slug, state.status, state.stripe_subscription_id) == ("pro", "active", "sub_2")


def test_events_arriving_after_a_newer_subscription_event_change_nothing(post, client, plans, workspace):
    WorkspacePlan.objects.create(
        workspace=workspace, plan=plans["pro"], stripe_customer_id="cus_1", stripe_subscription_id="sub_1"
    )
    deleted = subscription("canceled", ended_at=PERIOD_START + 200)
    post(event("evt_deleted", "customer.subscription.deleted", deleted, created=PERIOD_START + 200))
    # Sent by Stripe before the deletion, delivered after it:
    post(event("evt_updated", "customer.subscription.updated", subscription(), created=PERIOD_START + 100))
    failed = {"id": "in_1", "object": "invoice", "customer": "cus_1", "subscription": "sub_1"}
    post(event("evt_failed", "invoice.payment_failed", failed, created=PERIOD_START + 150))
    state = WorkspacePlan.objects.get(workspace=workspace)
    assert (state.status, state.grace_until) == ("canceled", None)
    assert int(state.stripe_event_created.timestamp()) == PERIOD_START + 200
    later = datetime.fromtimestamp(PERIOD_START + 300, tz=UTC)
    assert usage_summary(workspace, now=later)["plan"]["slug"] == "free"
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0


def test_subscription_events_in_the_same_second_apply_in_arrival_order(post, client, plans, workspace):
    WorkspacePlan.objects.create(
        workspace=workspace, plan=plans["pro"], stripe_customer_id="cus_1", stripe_subscription_id="sub_1"
    )
    post(event("evt_1", "customer.subscription.updated", subscription("past_due")))
    post(event("evt_2", "customer.subscription.updated", subscription("active")))
    assert WorkspacePlan.objects.get(workspace=workspace).status == "active"


def failed_earlier(payload: dict) -> StripeEvent:
    # What a task that raised leaves behind (django-q2 acknowledges failures: it never runs again by itself).
    return StripeEvent.objects.create(
        event_id=payload["id"], type=payload["type"], payload=payload, error="OperationalError: database is locked"
    )


def test_stripe_redelivering_an_event_whose_handling_failed_handles_it(post, client, plans, workspace):
    WorkspacePlan.objects.create(workspace=workspace, plan=plans["pro"], stripe_customer_id="cus_1")
    payload = event("evt_1", "invoice.payment_failed", {"id": "in_1", "object": "invoice", "customer": "cus_1"})
    failed_earlier(payload)
    assert post(payload).content == b"already received"
    stored = StripeEvent.objects.get()
    assert stored.processed_at is not None and stored.error == ""
    assert WorkspacePlan.objects.get(workspace=workspace).status == "past_due"


def test_staff_can_process_a_failed_event_again_from_the_admin(
    admin_client, plans, workspace, django_capture_on_commit_callbacks
):
    WorkspacePlan.objects.create(workspace=workspace, plan=plans["pro"], stripe_customer_id="cus_1")
    failed = failed_earlier(
        event("evt_1", "invoice.payment_failed", {"id": "in_1", "object": "invoice", "customer": "cus_1"})
    )
    done = StripeEvent.objects.create(event_id="evt_0", type="invoice.paid", payload={}, processed_at=timezone.now())
    changelist = reverse("admin:billing_stripeevent_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            changelist, {"action": "process_again", "_selected_action": [failed.pk, done.pk]}, follow=True
        )
    assert "1 event queued; 1 already processed was left alone." in response.content.decode()
    failed.refresh_from_db()
    assert failed.processed_at is not None and failed.error == ""
    assert WorkspacePlan.objects.get(workspace=workspace).status == "past_due"


def test_an_event_for_an_unknown_customer_is_acknowledged_and_ignored(post, client, plans):
    failed = {"id": "in_1", "object": "invoice", "customer": "cus_nobody"}
    assert post(event("evt_1", "invoice.payment_failed", failed)).status_code == 200
    assert StripeEvent.objects.get().processed_at is not None
    assert not WorkspacePlan.objects.exists()


@pytest.mark.parametrize(
    "how",
    ["wrong secret", "tampered body", "expired", "missing header", "debug header override"],
)
def test_forged_expired_and_tampered_signatures_are_refused(post, client, plans, workspace, settings, how):
    payload = checkout_completed(workspace)
    if how == "wrong secret":
        response = post(payload, secret="whsec_attacker")
    elif how == "tampered body":
        body = json.dumps(payload)
        signature = stripe.WebhookSignature.generate_signature_header(body, SECRET)
        response = client.post(
            reverse("stripe_webhook"),
            body.replace("pro", "business"),
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )
    elif how == "expired":  # a captured request replayed after the tolerance window
        response = post(payload, timestamp=int(time.time()) - settings.STRIPE_WEBHOOK_TOLERANCE - 10)
    elif how == "missing header":
        response = client.post(reverse("stripe_webhook"), json.dumps(payload), content_type="application/json")
    else:  # dj-stripe trusts this header under DEBUG; we never do
        settings.DEBUG = True
        response = post(payload, secret="whsec_attacker", HTTP_X_DJSTRIPE_WEBHOOK_SECRET="whsec_attacker")
    assert response.status_code == 400
    assert not StripeEvent.objects.exists() and not WorkspacePlan.objects.exists()


def test_a_signed_body_that_is_not_an_event_is_refused(post, client, db):
    assert post("not json").status_code == 400
    assert post({"id": "evt_1", "type": "x"}).status_code == 400
    assert not StripeEvent.objects.exists()


def test_webhooks_without_a_secret_are_refused_not_crashed(post, client, db, settings):
    settings.DJSTRIPE_WEBHOOK_SECRET = ""
    assert post(event("evt_1", "invoice.paid", {}), secret="x").status_code == 503


def test_only_post_is_accepted(post, client, db):
    assert client.get(reverse("stripe_webhook")).status_code == 405


def plan_now(workspace) -> str:
    return usage_summary(workspace, now=datetime.fromtimestamp(PERIOD_START + 86400, tz=UTC))["plan"]["slug"]


def test_an_unpaid_checkout_does_not_activate_the_plan_until_its_payment_succeeds(
    post, client, plans, workspace, fake_stripe
):
    fake_stripe.routes[("GET", "/v1/subscriptions/sub_1")] = (200, subscription())
    assert post(checkout_completed(workspace, payment_status="unpaid")).status_code == 200
    state = WorkspacePlan.objects.get(workspace=workspace)
    assert state.stripe_subscription_id == "sub_1" and plan_now(workspace) == "free"
    assert not fake_stripe.made("GET", "/v1/subscriptions/sub_1")

    paid = checkout_completed(workspace, "paid", "evt_paid_later", "checkout.session.async_payment_succeeded")
    assert post(paid).status_code == 200
    state.refresh_from_db()
    assert (state.plan.slug, state.status) == ("pro", "active") and plan_now(workspace) == "pro"


def test_a_checkout_that_needed_no_payment_activates_the_plan(post, client, plans, workspace, fake_stripe):
    fake_stripe.routes[("GET", "/v1/subscriptions/sub_1")] = (200, subscription("trialing"))
    post(checkout_completed(workspace, payment_status="no_payment_required"))
    assert WorkspacePlan.objects.get(workspace=workspace).status == "trialing" and plan_now(workspace) == "pro"


@pytest.mark.parametrize("status", ["incomplete", "incomplete_expired"])
def test_a_paid_checkout_whose_subscription_is_incomplete_is_not_active(
    post, client, plans, workspace, fake_stripe, status
):
    fake_stripe.routes[("GET", "/v1/subscriptions/sub_1")] = (200, subscription(status))
    post(checkout_completed(workspace))
    assert WorkspacePlan.objects.get(workspace=workspace).status == "incomplete" and plan_now(workspace) == "free"


@pytest.mark.parametrize("status", ["incomplete", "incomplete_expired", "paused"])
def test_a_subscription_that_turns_incomplete_is_not_active(post, client, plans, workspace, fake_stripe, status):
    fake_stripe.routes[("GET", "/v1/subscriptions/sub_1")] = (200, subscription())
    post(checkout_completed(workspace))
    assert plan_now(workspace) == "pro"
    post(event("evt_incomplete", "customer.subscription.updated", subscription(status), created=PERIOD_START + 60))
    assert WorkspacePlan.objects.get(workspace=workspace).status == "incomplete" and plan_now(workspace) == "free"


def test_when_stripe_cannot_be_reached_the_plan_is_unchanged_and_the_event_is_tried_again_later(
    post, client, plans, workspace, fake_stripe
):
    fake_stripe.routes[("GET", "/v1/subscriptions/sub_1")] = (500, {"error": {"type": "api_error", "message": "down"}})
    post(checkout_completed(workspace))
    assert plan_now(workspace) == "free"
    assert not WorkspacePlan.objects.filter(workspace=workspace, status="active", plan__slug="pro").exists()
    stored = StripeEvent.objects.get()
    assert stored.processed_at is None and "APIError" in stored.error
    retry = Schedule.objects.get(func=lanes.RETRY_TASK)  # a later attempt, on the fast lane, after a wait
    assert retry.cluster == settings.FAST_CLUSTER and retry.next_run > timezone.now()

    fake_stripe.routes[("GET", "/v1/subscriptions/sub_1")] = (200, subscription())
    lanes.run_retrying(*ast.literal_eval(retry.args))  # what the schedule runs when its time comes
    stored.refresh_from_db()
    assert stored.processed_at is not None and plan_now(workspace) == "pro"
