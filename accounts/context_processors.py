"""The header's workspace switcher: where the member is working, and where else they may."""

from django.http import HttpRequest

from accounts.access import member_workspace
from accounts.roles import Action, roles_for


def workspaces(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)  # None on API pages rendered without a signed-in user (the docs)
    if user is None or not user.is_authenticated:
        return {}
    memberships = list(user.memberships.select_related("workspace").order_by("workspace__name", "pk"))
    current = member_workspace(request)
    role = next((membership.role for membership in memberships if membership.workspace_id == current.pk), None)
    return {
        "current_workspace": current,
        "my_memberships": memberships,
        "may_set_workspace": role in roles_for(Action.MANAGE_WORKSPACE),
    }
