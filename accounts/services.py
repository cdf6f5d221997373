"""Creating workspaces."""

from django.conf import settings
from django.db import transaction

from accounts import audit
from accounts.models import Membership, Workspace


def ensure_personal_workspace(user) -> Workspace:
    """Every user owns at least one workspace; created on sign-up (and for users made otherwise)."""
    membership = user.memberships.select_related("workspace").order_by("created_at").first()
    if membership:
        return membership.workspace
    return _owned_workspace(user, f"{user.get_username().split('@')[0]}'s workspace")


def _owned_workspace(user, name: str) -> Workspace:
    with transaction.atomic():
        workspace = Workspace.objects.create(name=name)
        Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.OWNER)
    return workspace


class TooManyWorkspaces(Exception):
    pass


def create_workspace(user, name: str) -> Workspace:
    """A new workspace owned by `user`. Raises TooManyWorkspaces past WORKSPACES_PER_OWNER."""
    with transaction.atomic():
        owned = Membership.objects.select_for_update().filter(user=user, role=Membership.Role.OWNER)
        if len(owned) >= settings.WORKSPACES_PER_OWNER:
            limit = settings.WORKSPACES_PER_OWNER
            raise TooManyWorkspaces(f"One person may own at most {limit} workspaces, and you own {len(owned)}.")
        workspace = _owned_workspace(user, name)
        audit.record(workspace, user, "workspace.created", f"Created {name}")
    return workspace
