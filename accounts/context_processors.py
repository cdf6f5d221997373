"""The header's workspace switcher: where the member is working, and where else they may."""

from django.http import HttpRequest

from accounts.access import member_workspace


def workspaces(request: HttpRequest) -> dict:
    if not request.user.is_authenticated:
        return {}
    memberships = request.user.memberships.select_related("workspace").order_by("workspace__name", "pk")
    return {"current_workspace": member_workspace(request), "my_memberships": memberships}
