"""Choosing the workspace to work in, starting a new one, and its members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import CURRENT_WORKSPACE, has_role, member_workspace
from accounts.forms import WorkspaceForm
from accounts.members import MembershipRefused, change_role, leave, remove_member
from accounts.models import Membership, Workspace
from accounts.roles import Action, roles_for
from accounts.services import TooManyWorkspaces, create_workspace

MANAGERS = roles_for(Action.MANAGE_MEMBERS)


@login_required
@require_POST
def switch(request: HttpRequest, workspace_id: int) -> HttpResponse:
    # Another workspace's id is a 404, like every object its user may not see.
    workspace = get_object_or_404(Workspace, pk=workspace_id, memberships__user=request.user)
    request.session[CURRENT_WORKSPACE] = workspace.pk
    messages.success(request, f"You are now working in {workspace.name}.")
    return redirect("studio:home")  # the page one was on may belong to the workspace just left


@login_required
def new(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = create_workspace(request.user, form.cleaned_data["name"])
        except TooManyWorkspaces as refusal:
            form.add_error(None, str(refusal))
        else:
            request.session[CURRENT_WORKSPACE] = workspace.pk
            messages.success(request, f"{workspace.name} is ready: you are its owner.")
            return redirect("studio:home")
    return render(request, "accounts/workspace_new.html", {"form": form})


@login_required
def members(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request)
    memberships = workspace.memberships.select_related("user").order_by("user__email")
    return render(
        request,
        "accounts/members.html",
        {
            "workspace": workspace,
            "memberships": memberships,
            "may_manage": has_role(workspace, request.user, MANAGERS),
            "roles": Membership.Role.choices,
        },
    )


def _managed(request: HttpRequest, membership_id: int) -> tuple[Membership, Membership]:
    """The membership to change, in the current workspace, and the manager's own (RoleRequired: 403)."""
    workspace = member_workspace(request, roles=MANAGERS)
    target = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, workspace=workspace)
    return target, workspace.memberships.get(user=request.user)


@login_required
@require_POST
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    target, by = _managed(request, membership_id)
    try:
        change_role(target, request.POST.get("role", ""), by=by)
    except MembershipRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{target.user.email} is now {target.get_role_display().lower()}.")
    return redirect("workspaces:members")


@login_required
@require_POST
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    target, by = _managed(request, membership_id)
    try:
        remove_member(target, by=by)
    except MembershipRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{target.user.email} is no longer a member; their API keys stopped working.")
    return redirect("workspaces:members")


@login_required
@require_POST
def leave_workspace(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request)
    try:
        leave(workspace, request.user)
    except MembershipRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("workspaces:members")
    request.session.pop(CURRENT_WORKSPACE, None)
    messages.success(request, f"You left {workspace.name}.")
    return redirect("studio:home")
