"""Changing who is in a workspace and with which role. Owners are protected: only an owner changes or removes
an owner, and a workspace always keeps at least one owner (checked with the owners' rows locked, so two
owners demoting each other at once cannot leave it with none)."""

from django.db import transaction

from accounts import audit
from accounts.models import Membership, Workspace

Role = Membership.Role


class MembershipRefused(Exception):
    """A change the rules above refuse; the message says why, for the person who asked."""


def _last_owner(membership: Membership) -> bool:
    owners = list(Membership.objects.select_for_update().filter(workspace_id=membership.workspace_id, role=Role.OWNER))
    return membership.role == Role.OWNER and len(owners) == 1


def _check_may_touch(membership: Membership, by: Membership) -> None:
    if membership.role == Role.OWNER and by.role != Role.OWNER:
        raise MembershipRefused("Only an owner can change or remove an owner.")


def change_role(membership: Membership, role: str, *, by: Membership) -> Membership:
    if role not in Role.values:
        raise MembershipRefused("Choose one of the roles: owner, admin, editor or viewer.")
    with transaction.atomic():
        _check_may_touch(membership, by)
        if role == Role.OWNER and by.role != Role.OWNER:
            raise MembershipRefused("Only an owner can make someone an owner.")
        if role != Role.OWNER and _last_owner(membership):
            raise MembershipRefused("A workspace needs an owner: make someone else an owner first.")
        before = membership.get_role_display().lower()
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record(
            membership.workspace_id, by.user, "member.role",
            f"{membership.user.email}: {before} → {membership.get_role_display().lower()}",
        )  # fmt: skip
    return membership


def remove_member(membership: Membership, *, by: Membership) -> None:
    """Their API keys stop working with the membership (api/signals.py)."""
    with transaction.atomic():
        _check_may_touch(membership, by)
        if _last_owner(membership):
            raise MembershipRefused("A workspace needs an owner: make someone else an owner first.")
        membership.delete()
        audit.record(membership.workspace_id, by.user, "member.removed", f"Removed {membership.user.email}")


def leave(workspace: Workspace, user) -> None:
    with transaction.atomic():
        membership = Membership.objects.get(workspace=workspace, user=user)
        if _last_owner(membership):
            raise MembershipRefused("You are this workspace's only owner: make someone else an owner before you leave.")
        membership.delete()
