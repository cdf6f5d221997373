"""The writer's tokens: one ledger row per call, counted against the plan's allowance this period, shown on the
billing page and in GET /api/v1/usage."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.limits import check_llm_allowance, record_llm_usage
from billing.models import LLMUsage, Plan
from billing.quota import QuotaExceeded

pytestmark = pytest.mark.django_db


def spend(workspace, owner, tokens: int) -> LLMUsage:
    return record_llm_usage(workspace, owner, provider="openai", model="m", purpose="draft", input_tokens=tokens,
                            output_tokens=0)  # fmt: skip


def test_a_call_the_provider_reported_nothing_for_leaves_no_row(workspace, owner):
    assert spend(workspace, owner, 0) is None and not LLMUsage.objects.exists()


def test_the_allowance_counts_this_periods_tokens_only(workspace, owner, plans):
    Plan.objects.filter(slug="free").update(max_llm_tokens=1000)
    old = spend(workspace, owner, 5000)
    LLMUsage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    check_llm_allowance(workspace)  # last period's tokens do not count
    spend(workspace, owner, 1000)
    with pytest.raises(QuotaExceeded, match="includes 1,000 writer tokens a period and this workspace has used 1,000"):
        check_llm_allowance(workspace)


def test_the_billing_page_and_the_usage_api_show_the_tokens(owner_client, workspace, owner, plans, api):
    Plan.objects.update(max_llm_tokens=50_000)
    spend(workspace, owner, 1234)
    page = owner_client.get(reverse("billing:page")).content.decode()
    assert "AI writer: 1234 of 50000 tokens used" in page
    usage = api.get("/api/v1/usage").json()["llm_tokens"]
    assert usage["included"] == 50_000 and usage["remaining"] == 50_000 - usage["used"]
