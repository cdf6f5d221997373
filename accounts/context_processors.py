"""The header's workspace switcher: where the member is working, and where else they may."""

from django.http import HttpRequest

from accounts.access import member_workspace


def workspaces(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)  # None on API pages rendered without a signed-in user (the docs)
    if user is None or not user.is_authenticated:
        return {}
    memberships = user.memberships.select_related("workspace").order_by("workspace__name", "pk")
    return {"current_workspace": member_workspace(request), "my_memberships": memberships}
