"""Reads for billing: which plan a workspace is on now, its billing period, what it used."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Workspace
from billing.models import AIVideoUsage, LLMUsage, Plan, Reservation, UsageEntry, WorkspacePlan

# The render job statuses that hold quota (queued, running): billing sits below renders, so it names them
# (renders' tests check they match RenderJob.Status).
ACTIVE_JOB_STATUSES = ("queued", "running")


def plan_state_of(workspace: Workspace) -> WorkspacePlan | None:
    """The workspace's plan row (None: Free)."""
    return WorkspacePlan.objects.select_related("plan").filter(workspace=workspace).first()


def effective_plan(state: WorkspacePlan | None, now: datetime) -> Plan:
    """The plan whose limits apply right now; everything that has run out falls back to Free."""
    if state is None:
        return Plan.objects.free()
    status = WorkspacePlan.Status
    if state.status in (status.ACTIVE, status.TRIALING):
        return state.plan
    if state.status == status.PAST_DUE and state.grace_until and now < state.grace_until:
        return state.plan
    if state.status == status.CANCELED and state.current_period_end and now < state.current_period_end:
        return state.plan  # cancelled plans run to the end of the period already paid for
    return Plan.objects.free()


def current_period(state: WorkspacePlan | None, now: datetime) -> tuple[datetime, datetime]:
    """Stripe's period while it covers `now`; otherwise (Free, staff-assigned, lapsed) the calendar month."""
    stripe_start, stripe_end = (state.current_period_start, state.current_period_end) if state else (None, None)
    if stripe_start and stripe_end and stripe_start <= now < stripe_end:
        return stripe_start, stripe_end
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


def held_reservations(workspace: Workspace):
    # Only jobs still queued or running hold quota: a job that ended without a settle/release
    # (a killed worker, a direct status update) can never block the workspace.
    return Reservation.objects.filter(
        workspace=workspace, status=Reservation.Status.HELD, job__status__in=ACTIVE_JOB_STATUSES
    )


def _meter(included: Decimal | int, used: Decimal | int, held: Decimal | int) -> dict[str, Any]:
    return {"included": included, "used": used, "held": held, "remaining": max(included - used - held, 0)}


def usage_summary(workspace: Workspace, *, state: WorkspacePlan | None = None, now: datetime | None = None) -> dict:
    """This period's plan, usage and what is left (what the billing page and GET /api/v1/usage show).

    Narration figures are seconds (floats, 2 decimals); renders are whole numbers. `held` is quota reserved
    by jobs that are queued or running; `remaining` already subtracts it.
    """
    now = now or timezone.now()
    state = state if state is not None else plan_state_of(workspace)
    plan = effective_plan(state, now)
    start, end = current_period(state, now)
    used = UsageEntry.objects.filter(workspace=workspace, created_at__gte=start, created_at__lt=end).aggregate(
        seconds=Sum("narration_seconds"), renders=Sum("video_renders")
    )
    held = held_reservations(workspace).aggregate(
        seconds=Sum("narration_seconds"), renders=Sum("video_renders"), jobs=Count("pk")
    )
    seconds = _meter(Decimal(plan.included_narration_seconds), used["seconds"] or 0, held["seconds"] or 0)
    tokens = llm_tokens_used(workspace, start, end)
    return {
        "plan": {"slug": plan.slug, "name": plan.name},
        "status": state.status if state else WorkspacePlan.Status.ACTIVE,
        "grace_until": state.grace_until if state and state.status == WorkspacePlan.Status.PAST_DUE else None,
        "period_start": start,
        "period_end": end,
        "narration_seconds": {key: float(value) for key, value in seconds.items()},
        "video_renders": _meter(plan.included_video_renders, used["renders"] or 0, held["renders"] or 0),
        "concurrent_jobs": {"limit": plan.concurrent_jobs, "running": held["jobs"]},
        "max_video_height": plan.max_video_height,
        "llm_tokens": _meter(plan.max_llm_tokens, tokens, 0),
        "ai_video_seconds": {
            key: float(value)
            for key, value in _meter(plan.max_ai_video_seconds, ai_video_seconds_used(workspace, start, end), 0).items()
        },
    }


def llm_tokens_used(workspace: Workspace, start: datetime, end: datetime) -> int:
    """Language-model tokens (prompts and answers) the workspace spent between `start` and `end`."""
    used = LLMUsage.objects.filter(workspace=workspace, created_at__gte=start, created_at__lt=end).aggregate(
        input=Sum("input_tokens"), output=Sum("output_tokens")
    )
    return (used["input"] or 0) + (used["output"] or 0)


def ai_video_seconds_used(workspace: Workspace, start: datetime, end: datetime) -> Decimal:
    """Seconds of AI video made for the workspace between `start` and `end`."""
    used = AIVideoUsage.objects.filter(workspace=workspace, created_at__gte=start, created_at__lt=end).aggregate(
        seconds=Sum("seconds")
    )
    return used["seconds"] or Decimal(0)


def monthly_history(workspace: Workspace, months: int = 12) -> list[dict[str, Any]]:
    """Usage per calendar month, newest first (ledger rows, staff credits included)."""
    return list(
        UsageEntry.objects.filter(workspace=workspace)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(narration_seconds=Sum("narration_seconds"), video_renders=Sum("video_renders"))
        .order_by("-month")[:months]
    )


def usage_history(workspace: Workspace, months: int = 12) -> list[dict[str, Any]]:
    """`monthly_history` as plain figures for GET /api/v1/usage: "2026-11", narration seconds as a float."""
    return [
        {
            "month": row["month"].strftime("%Y-%m"),
            "narration_seconds": float(row["narration_seconds"]),
            "video_renders": row["video_renders"],
        }
        for row in monthly_history(workspace, months)
    ]


def recent_entries(workspace: Workspace, limit: int = 20):
    return UsageEntry.objects.filter(workspace=workspace).select_related("job")[:limit]


def plans_on_offer():
    return Plan.objects.all()
