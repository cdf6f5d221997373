"""The workspace's settings page: its name, what new scripts start with, and the danger zone (deleting it).

Here rather than in accounts because the default campaign belongs to scripts, an app above accounts.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import workspaces
from accounts.access import CURRENT_WORKSPACE, has_role, member_workspace
from accounts.forms import DeleteWorkspaceForm
from accounts.roles import Action, roles_for
from scripts.services import new_script_defaults, set_default_campaign
from studio.forms import WorkspaceSettingsForm

SETTERS = roles_for(Action.MANAGE_WORKSPACE)
DELETERS = roles_for(Action.DELETE_WORKSPACE)


@login_required
def workspace_settings(request: HttpRequest, delete_form: DeleteWorkspaceForm | None = None) -> HttpResponse:
    workspace = member_workspace(request, roles=SETTERS)
    posted = request.method == "POST" and delete_form is None
    defaults = new_script_defaults(workspace)
    initial = {
        "name": workspace.name,
        "default_language": defaults["language"],
        "default_campaign": defaults["campaign"],
    }
    form = WorkspaceSettingsForm(request.POST if posted else None, initial=initial, workspace=workspace)
    if posted and form.is_valid():
        chosen = form.cleaned_data
        workspaces.change_settings(
            workspace, name=chosen["name"], default_language=chosen["default_language"], by=request.user
        )
        set_default_campaign(workspace, chosen["default_campaign"], by=request.user)
        messages.success(request, "Settings saved.")
        return redirect("studio:workspace_settings")
    context = {
        "workspace": workspace,
        "form": form,
        "may_delete": has_role(workspace, request.user, DELETERS),
        "delete_form": delete_form or DeleteWorkspaceForm(),
    }
    return render(request, "studio/workspace_settings.html", context)


@login_required
@require_POST
def delete_workspace(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=DELETERS)
    form = DeleteWorkspaceForm(request.POST)
    if form.is_valid():
        name = workspace.name
        try:
            workspaces.delete(workspace, form.cleaned_data["confirmation"], by=request.user)
        except workspaces.WorkspaceRefused as refusal:
            form.add_error("confirmation", str(refusal))
        else:
            request.session.pop(CURRENT_WORKSPACE, None)
            messages.success(request, f"{name} was deleted with everything in it.")
            return redirect("studio:home")
    return workspace_settings(request, delete_form=form)
