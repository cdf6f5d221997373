"""Deleting one's own account.

Refused while the person is the only owner of a workspace that has other members (they would be left without
one). Workspaces where they are the only member go with the account, through `accounts.workspaces.delete` (so
renders in progress or a subscription still billing hold it back); elsewhere only their membership goes.
"""

from django.db import transaction

from accounts import audit, workspaces
from accounts.models import Membership, Workspace

Role = Membership.Role


class AccountRefused(Exception):
    """Said to the person: why their account cannot be deleted now."""


def _names(rows: list[Workspace]) -> str:
    return ", ".join(workspace.name for workspace in rows)


def delete_account(user, typed_email: str) -> None:
    if typed_email.strip().lower() != user.email.lower():
        raise AccountRefused(f"Type your e-mail address, {user.email}, exactly to delete your account.")
    with transaction.atomic():
        # Locked, so nobody is made the last owner or joins while the account goes.
        mine = list(Membership.objects.select_for_update().filter(user=user).select_related("workspace"))
        alone, stranded, staying = [], [], []
        for membership in mine:
            others = Membership.objects.filter(workspace=membership.workspace_id).exclude(user=user)
            if not others.exists():
                alone.append(membership.workspace)
            elif membership.role == Role.OWNER and not others.filter(role=Role.OWNER).exists():
                stranded.append(membership.workspace)
            else:
                staying.append(membership.workspace)
        if stranded:
            raise AccountRefused(
                f"You are the only owner of {_names(stranded)}, which other people still use: make one of them an "
                "owner on the members page (or remove them), then delete your account."
            )
        for workspace in alone:
            try:
                workspaces.delete(workspace, workspace.name, by=user)
            except workspaces.WorkspaceRefused as refusal:
                raise AccountRefused(str(refusal)) from refusal
        for workspace in staying:
            audit.record(workspace, None, "member.account_deleted", f"{user.email} deleted their account")
        user.delete()
