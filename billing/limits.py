"""The plan's limits outside render quota: API access, the size of the voice library and seats."""

from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from accounts.models import Workspace
from accounts.seats import SeatRefusal
from billing.models import Plan, WorkspacePlan
from billing.quota import QuotaExceeded
from billing.selectors import effective_plan, plan_state_of


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
