"""The billing page, the upgrade flow up to Stripe Checkout, the portal, and refusals in the Studio."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import Membership
from billing.quota import adjust
from renders.models import RenderJob
from scripts.models import Script
from tests.factories import put_on_plan
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db


def test_the_page_without_stripe_keys_says_payments_are_not_configured(owner_client, plans, settings):
    settings.STRIPE_SECRET_KEY = ""
    page = owner_client.get(reverse("billing:page")).content.decode()
    assert "Payments are not configured" in page
    assert "Upgrade to" not in page and "Manage billing" not in page
    assert "0 of 10 minutes used" in page and "0 of 3 used" in page


def test_a_staff_assigned_plan_works_without_stripe(owner_client, plans, workspace, settings):
    settings.STRIPE_SECRET_KEY = ""
    put_on_plan(workspace, "business")
    page = owner_client.get(reverse("billing:page")).content.decode()
    assert "Plan: <strong>Business</strong>" in page and "of 1200 minutes used" in page


def test_the_page_with_stripe_keys_offers_upgrades_and_shows_history(owner_client, plans, workspace, fake_stripe):
    adjust(workspace, narration_seconds=Decimal(-60), video_renders=0, note="Sorry for the outage", staff=None)
    page = owner_client.get(reverse("billing:page")).content.decode()
    for name in ("Creator", "Pro", "Business"):
        assert f"Upgrade to {name}" in page
    assert "Sorry for the outage" in page and "Payments are not configured" not in page
    assert 'href="/studio/billing/"' in page  # the nav link


def test_upgrade_redirects_to_stripe_checkout(owner_client, owner, plans, workspace, fake_stripe):
    response = owner_client.post(reverse("billing:upgrade", args=["creator"]))
    assert response.status_code == 302 and response.url == "https://checkout.stripe.com/c/pay/cs_test_1"
    [request] = fake_stripe.made("POST", "/v1/checkout/sessions")
    assert request["headers"]["Authorization"] == "Bearer sk_test_fake"
    assert request["form"]["mode"] == "subscription"
    assert request["form"]["line_items[0][price]"] == "price_creator"
    assert request["form"]["client_reference_id"] == str(workspace.pk)
    assert request["form"]["customer_email"] == owner.email
    assert request["form"]["success_url"] == "http://testserver/studio/billing/?checkout=success"


@pytest.mark.parametrize("status", ["active", "trialing", "past_due"])
def test_upgrade_with_a_live_subscription_goes_to_the_portal_not_a_second_checkout(
    owner_client, plans, workspace, fake_stripe, status
):
    put_on_plan(workspace, "creator", status=status, stripe_customer_id="cus_1", stripe_subscription_id="sub_1")
    response = owner_client.post(reverse("billing:upgrade", args=["pro"]))
    assert response.status_code == 302 and response.url == "https://billing.stripe.com/p/session/bps_1"
    assert not fake_stripe.made("POST", "/v1/checkout/sessions")
    page = owner_client.get(reverse("billing:page")).content.decode()
    assert "already has a subscription" in page


def test_upgrade_after_the_subscription_ended_opens_checkout(owner_client, plans, workspace, fake_stripe):
    put_on_plan(workspace, "creator", status="canceled", stripe_customer_id="cus_1", stripe_subscription_id="sub_1")
    response = owner_client.post(reverse("billing:upgrade", args=["pro"]))
    assert response.url == "https://checkout.stripe.com/c/pay/cs_test_1"
    assert fake_stripe.made("POST", "/v1/checkout/sessions")[0]["form"]["customer"] == "cus_1"


def test_upgrade_when_stripe_fails_says_so(owner_client, plans, fake_stripe):
    fake_stripe.routes[("POST", "/v1/checkout/sessions")] = (
        400,
        {"error": {"type": "invalid_request_error", "message": "No such price: 'price_creator'"}},
    )
    response = owner_client.post(reverse("billing:upgrade", args=["creator"]), follow=True)
    assert "Stripe could not open checkout" in response.content.decode()


def test_upgrade_refuses_clearly(owner_client, plans, settings):
    settings.STRIPE_SECRET_KEY = ""
    response = owner_client.post(reverse("billing:upgrade", args=["pro"]), follow=True)
    assert "Payments are not configured" in response.content.decode()
    assert owner_client.post(reverse("billing:upgrade", args=["platinum"])).status_code == 404
    assert owner_client.get(reverse("billing:upgrade", args=["pro"])).status_code == 405


def test_only_owners_change_the_plan(client, owner, plans, workspace, fake_stripe):
    member = get_user_model().objects.create_user(username="m@example.com", email="m@example.com", password="x")
    Membership.objects.create(workspace=workspace, user=member, role=Membership.Role.EDITOR)
    client = client_working_in(member, workspace)
    response = client.post(reverse("billing:upgrade", args=["pro"]), follow=True)
    assert "Only the workspace&#x27;s owner can change its plan." in response.content.decode()
    assert not fake_stripe.requests


def test_manage_billing_opens_the_customer_portal(owner_client, plans, workspace, fake_stripe):
    response = owner_client.post(reverse("billing:manage"), follow=True)
    assert "no paid subscription to manage yet" in response.content.decode()
    put_on_plan(workspace, "pro", stripe_customer_id="cus_1")
    assert "Manage billing" in owner_client.get(reverse("billing:page")).content.decode()
    response = owner_client.post(reverse("billing:manage"))
    assert response.url == "https://billing.stripe.com/p/session/bps_1"
    [request] = fake_stripe.made("POST", "/v1/billing_portal/sessions")
    assert request["form"] == {"customer": "cus_1", "return_url": "http://testserver/studio/billing/"}


def test_a_refused_render_in_the_studio_says_why_and_links_to_upgrade(owner_client, owner, plans, workspace):
    adjust(workspace, narration_seconds=Decimal(0), video_renders=3, note="used up", staff=None)
    script = Script.objects.create(workspace=workspace, title="Talk", body="Host: Hello there.", created_by=owner)
    response = owner_client.post(
        reverse("studio:script_render", args=[script.pk]), {"kind": "video", "aspect": "9:16"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("studio:script", args=[script.pk])
    assert "Your Free plan has no video renders left this period" in page
    assert '<a href="/studio/billing/">See plans and upgrade</a>' in page
    assert not RenderJob.objects.exists()


def test_the_page_needs_a_login(client, db):
    assert client.get(reverse("billing:page")).status_code == 302


def test_short_renders_show_in_the_meter_to_a_tenth_of_a_minute(owner_client, plans, workspace):
    from billing.models import UsageEntry

    UsageEntry.objects.create(workspace=workspace, narration_seconds=Decimal("22.5"), note="a short render")
    page = owner_client.get(reverse("billing:page")).content.decode()
    assert "Narration: 0.4 of 10 minutes used" in page
