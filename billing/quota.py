"""Quota and metering: reserve before a job is queued, settle what it delivered, release what it did not.

Every decision that reads "used + held" and writes a reservation or a ledger row runs inside
`transaction.atomic` holding the workspace's `WorkspacePlan` row lock (`select_for_update`), so two
submissions (or a submission and a settlement) never decide on the same figures. On PostgreSQL the
second transaction waits on the row lock; SQLite takes its single write lock at BEGIN (IMMEDIATE mode).
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.models import Workspace
from billing.models import Plan, Reservation, UsageEntry, WorkspacePlan
from billing.selectors import effective_plan, usage_summary


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


@dataclass(frozen=True)
class Cost:
    """What a job is expected to use: narration seconds and video renders (renders work it out)."""

    narration_seconds: Decimal
    video_renders: int


@dataclass(frozen=True)
class Admission:
    """A job the plan accepted: what to hold for it, the video height it must render at, and whether the
    video carries the OmniVibe watermark (plans like Free)."""

    workspace: Workspace
    cost: Cost
    video_height: int
    watermark: bool

    def hold_for(self, job_id: int) -> Reservation:
        # update_or_create: a retried job holds its (released) reservation again.
        reservation, _ = Reservation.objects.update_or_create(
            job_id=job_id,
            defaults={
                "workspace": self.workspace,
                "narration_seconds": self.cost.narration_seconds,
                "video_renders": self.cost.video_renders,
                "status": Reservation.Status.HELD,
                "closed_at": None,
            },
        )
        return reservation


def reserve(workspace: Workspace, cost: Cost, height: int | None = None) -> Admission:
    """Check the plan for a job costing `cost`, rendering video (if it has any) at `height` pixels (None: the
    default, capped at the plan's maximum). Call inside the atomic block that creates the job, then
    `admission.hold_for(job.pk)` in the same block: the row lock taken here lasts until it commits.

    Raises QuotaExceeded (nothing held, nothing to create) when the plan cannot take the job.
    """
    now = timezone.now()
    state = locked_state(workspace.pk)
    plan = effective_plan(state, now)
    video_height = _video_height(cost, height, plan)
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
    return Admission(workspace=workspace, cost=cost, video_height=video_height, watermark=plan.watermark)


def settle(workspace: Workspace, job_id: int, *, narration_seconds: float, video_renders: int) -> UsageEntry:
    """The job delivered: write what it actually used to the ledger and close its reservation. Settles once.

    The charge is the real duration, but never past the plan: the admission checked the reservation, not an
    overrun, so beyond its reservation a job is charged only what is left this period.
    """
    with transaction.atomic():
        state = locked_state(workspace.pk)
        settled = UsageEntry.objects.filter(job_id=job_id).first()
        if settled:
            return settled
        reserved = Reservation.objects.filter(job_id=job_id).values_list("narration_seconds", flat=True).first() or 0
        _close(job_id, Reservation.Status.SETTLED)  # first, so the job's own hold no longer counts as held
        left = Decimal(str(usage_summary(workspace, state=state)["narration_seconds"]["remaining"]))
        used = Decimal(str(round(narration_seconds, 2)))
        charged = min(used, max(reserved, left))
        return UsageEntry.objects.create(
            job_id=job_id,
            workspace=workspace,
            kind=UsageEntry.Kind.RENDER,
            narration_seconds=charged,
            video_renders=video_renders,
            note=f"Narration ran {_minutes(used)}; charged up to your plan's limit." if charged < used else "",
        )


def release(workspace: Workspace, job_id: int) -> None:
    """The job failed or was cancelled: it consumes nothing. Safe to call more than once."""
    with transaction.atomic():
        locked_state(workspace.pk)
        _close(job_id, Reservation.Status.RELEASED)


def adjust(
    workspace: Workspace, *, narration_seconds: Decimal, video_renders: int, note: str, staff: Any
) -> UsageEntry:
    """A staff correction in the ledger; negative figures give usage back (a credit)."""
    with transaction.atomic():
        locked_state(workspace.pk)
        return UsageEntry.objects.create(
            workspace=workspace,
            kind=UsageEntry.Kind.ADJUSTMENT,
            narration_seconds=narration_seconds,
            video_renders=video_renders,
            note=note,
            created_by=staff,
        )


def locked_state(workspace_id: int) -> WorkspacePlan:
    """The workspace's plan row, locked until the transaction ends (Stripe events take the same lock)."""
    # A workspace without a plan record is on Free: create the record so there is a row to lock.
    WorkspacePlan.objects.get_or_create(workspace_id=workspace_id, defaults={"plan": Plan.objects.free()})
    return WorkspacePlan.objects.select_for_update().select_related("plan").get(workspace_id=workspace_id)


def _close(job_id: int, status: str) -> None:
    Reservation.objects.filter(job_id=job_id, status=Reservation.Status.HELD).update(
        status=status, closed_at=timezone.now()
    )


def _video_height(cost: Cost, asked: int | None, plan: Plan) -> int:
    """The height asked for (checked against the plan when the job makes a video), else the default capped at
    the plan's maximum."""
    if asked is None:
        return min(settings.RENDER_VIDEO_HEIGHT, plan.max_video_height)
    if cost.video_renders and asked > plan.max_video_height:
        raise QuotaExceeded(
            f"Your {plan.name} plan renders video up to {plan.max_video_height}p; {asked}p needs a bigger plan.",
            needed={"video_height": asked},
            remaining={"video_height": plan.max_video_height},
        )
    return asked


def _minutes(seconds: Decimal) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"
