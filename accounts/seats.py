"""Seats: how many people a workspace may hold. Billing knows the plans but sits above accounts, so accounts
asks through a signal that billing answers (the way voices asks renders through `voice_needed_by`)."""

from dataclasses import dataclass

from django.dispatch import Signal

from accounts.models import Workspace

# Sent with `workspace` and `seats` (the seats it would take once the change is made); each receiver returns
# a SeatRefusal when that is more than the workspace may have, else None.
seats_wanted = Signal()


@dataclass(frozen=True)
class SeatRefusal:
    message: str
    upgrade_url: str


def refusal(workspace: Workspace, seats: int) -> SeatRefusal | None:
    """The first refusal of `seats` seats in `workspace`, if any receiver has one."""
    answers = seats_wanted.send(sender=Workspace, workspace=workspace, seats=seats)
    return next((answer for _, answer in answers if answer is not None), None)
