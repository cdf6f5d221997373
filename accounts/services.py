"""Creating workspaces."""

from django.db import transaction

from accounts.models import Membership, Workspace


def ensure_personal_workspace(user) -> Workspace:
    """Every user owns at least one workspace; created on sign-up (and for users made otherwise)."""
    membership = user.memberships.select_related("workspace").order_by("created_at").first()
    if membership:
        return membership.workspace
    with transaction.atomic():
        name = f"{user.get_username().split('@')[0]}'s workspace"
        workspace = Workspace.objects.create(name=name)
        Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.OWNER)
    return workspace
