"""Reads scoped to the signed-in member: views never filter by workspace by hand."""

from django.db.models import QuerySet
from django.http import HttpRequest

from studio.models import Campaign, Script, Workspace
from studio.services import ensure_personal_workspace


def current_workspace(request: HttpRequest) -> Workspace:
    """The workspace the member chose this session, else their first one."""
    chosen = request.session.get("workspace_id")
    if chosen:
        workspace = Workspace.objects.filter(pk=chosen, memberships__user=request.user).first()
        if workspace:
            return workspace
    return ensure_personal_workspace(request.user)


def scripts_of(workspace: Workspace) -> QuerySet[Script]:
    return Script.objects.filter(workspace=workspace)


def campaigns_of(workspace: Workspace) -> QuerySet[Campaign]:
    return Campaign.objects.filter(workspace=workspace)
