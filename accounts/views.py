"""Choosing the workspace to work in, and starting a new one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import CURRENT_WORKSPACE
from accounts.forms import WorkspaceForm
from accounts.models import Workspace
from accounts.services import TooManyWorkspaces, create_workspace


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
