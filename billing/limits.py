"""The plan's limits outside render quota: API access, the size of the voice library and seats."""

from decimal import Decimal

from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from accounts.models import Workspace
from accounts.seats import SeatRefusal
from billing.models import AIVideoUsage, LLMUsage, Plan, WorkspacePlan
from billing.quota import QuotaExceeded
from billing.selectors import (
    ai_video_seconds_used,
    current_period,
    effective_plan,
    llm_tokens_used,
    plan_state_of,
)


def current_plan(workspace: Workspace) -> Plan:
    return effective_plan(plan_state_of(workspace), timezone.now())


def check_api_access(state: WorkspacePlan | None) -> None:
    """Raises QuotaExceeded when the plan of a workspace (`state`: its plan_state_of) does not include the API."""
    plan = effective_plan(state, timezone.now())
    if not plan.api_access:
        raise QuotaExceeded(
            f"The {plan.name} plan does not include API access; upgrade to use the API.",
            needed={"api_access": True},
            remaining={"api_access": False},
        )


def check_voice_allowance(workspace: Workspace, count: int) -> None:
    """Raises QuotaExceeded when a library of `count` voices is as large as the workspace's plan allows."""
    plan = current_plan(workspace)
    if count >= plan.max_voices:
        raise QuotaExceeded(
            f"The {plan.name} plan holds {plan.max_voices} voices and this workspace has {count}; "
            "delete one or upgrade.",
            needed={"voices": count + 1},
            remaining={"voices": max(0, plan.max_voices - count)},
        )


def check_llm_allowance(workspace: Workspace) -> None:
    """Raises QuotaExceeded when the plan's language-model tokens for this period are used up (or it has none).
    Checked before a call; the call's own tokens are counted after it, so one call can pass the line."""
    state = plan_state_of(workspace)
    now = timezone.now()
    plan = effective_plan(state, now)
    used = llm_tokens_used(workspace, *current_period(state, now))
    if used >= plan.max_llm_tokens:
        what = (
            "does not include the AI writer"
            if not plan.max_llm_tokens
            else f"includes {plan.max_llm_tokens:,} writer tokens a period and this workspace has used {used:,}"
        )
        raise QuotaExceeded(
            f"The {plan.name} plan {what}; the outline writer still works, or upgrade.",
            needed={"llm_tokens": 1},
            remaining={"llm_tokens": max(plan.max_llm_tokens - used, 0)},
        )


def record_llm_usage(workspace: Workspace, user, *, provider: str, model: str, purpose: str, input_tokens: int,
                     output_tokens: int) -> LLMUsage | None:  # fmt: skip
    """One ledger row for a model call's tokens; nothing when the provider reported none (it failed before)."""
    if not input_tokens and not output_tokens:
        return None
    return LLMUsage.objects.create(
        workspace=workspace, created_by=user if user and user.is_authenticated else None, provider=provider,
        model=model[:100], purpose=purpose, input_tokens=input_tokens, output_tokens=output_tokens,
    )  # fmt: skip


def ai_video_seconds_left(workspace: Workspace) -> float:
    """Seconds of AI video the plan still allows this period (0: none, or not in the plan). A render may make
    up to this much; what it made is counted after it (`record_ai_video_usage`)."""
    state = plan_state_of(workspace)
    now = timezone.now()
    plan = effective_plan(state, now)
    used = ai_video_seconds_used(workspace, *current_period(state, now))
    return float(max(Decimal(plan.max_ai_video_seconds) - used, Decimal(0)))


def record_ai_video_usage(workspace_id: int, job_id: int | None, seconds: dict[str, float]) -> None:
    """One ledger row per provider for what a render had made (`report["ai_video_seconds"]`)."""
    AIVideoUsage.objects.bulk_create(
        AIVideoUsage(workspace_id=workspace_id, job_id=job_id, provider=provider[:20], seconds=round(Decimal(s), 2))
        for provider, s in seconds.items()
        if s > 0
    )


def seats_of(workspace: Workspace) -> dict[str, int]:
    """Seats taken (members and invitations waiting for an answer) and the plan's allowance."""
    pending = workspace.invitations.filter(accepted_at=None, declined_at=None, revoked_at=None).count()
    allowed = current_plan(workspace).max_members
    return {"members": workspace.memberships.count(), "pending": pending, "allowed": allowed}


def seat_refusal(sender, workspace: Workspace, seats: int, **kwargs) -> SeatRefusal | None:
    """Answers accounts' `seats_wanted`: a refusal when `seats` is more than the plan's seats."""
    plan = current_plan(workspace)
    if seats <= plan.max_members:
        return None
    return SeatRefusal(
        f"{workspace.name} is full: the {plan.name} plan has {plan.max_members} seat{pluralize(plan.max_members)} "
        "(members and invitations waiting for an answer). Withdraw an invitation, remove a member or upgrade.",
        reverse("billing:page"),
    )


def subscription_still_billing(sender, workspace: Workspace, **kwargs) -> list[str]:
    """Answers accounts' `deletion_blocked_by`: a Stripe subscription that would go on charging."""
    state = plan_state_of(workspace)
    billing = (WorkspacePlan.Status.ACTIVE, WorkspacePlan.Status.TRIALING, WorkspacePlan.Status.PAST_DUE)
    if state and state.stripe_subscription_id and state.status in billing:
        return [f"its {state.plan.name} subscription is still running: cancel it under Billing, Manage billing"]
    return []
