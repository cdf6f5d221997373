"""The Studio's API settings page: keys (created, shown once, revoked), the webhook secret, recent deliveries.

Everyone in the workspace sees the keys and deliveries; only those who `can_manage_keys` (owners) create and
revoke keys and see or rotate the webhook secret.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from api.forms import ApiKeyForm
from api.keys import can_manage_keys, create_key, revoke_key, rotate_webhook_secret, webhook_secret_for
from api.models import ApiKey, WebhookDelivery
from billing.services import current_plan
from studio.models import Membership, Workspace
from studio.selectors import current_workspace


def _workspace_for_key_manager(request: HttpRequest) -> Workspace:
    """The current workspace, if this member may manage its keys (403 otherwise)."""
    workspace = current_workspace(request)
    if not can_manage_keys(_membership(request, workspace)):
        raise PermissionDenied("Only the workspace's owners can manage API keys and the webhook secret.")
    return workspace


def _membership(request: HttpRequest, workspace: Workspace) -> Membership | None:
    return Membership.objects.filter(workspace=workspace, user=request.user).first()


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request) if request.method != "POST" else _workspace_for_key_manager(request)
    manages_keys = can_manage_keys(_membership(request, workspace))
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = create_key(
            workspace, name=form.cleaned_data["name"], user=request.user, expires_days=form.cleaned_data["expires_days"]
        )
        form = ApiKeyForm()
    context = {
        "workspace": workspace,
        "manages_keys": manages_keys,
        "form": form,
        "new_key": new_key,  # rendered once, in this response only
        "keys": ApiKey.objects.filter(workspace=workspace).select_related("created_by"),
        "webhook_secret": webhook_secret_for(workspace) if manages_keys else None,
        "deliveries": WebhookDelivery.objects.filter(job__workspace=workspace).select_related("job")[:20],
        "plan": current_plan(workspace),  # keys of a plan without the API are refused (402): say so here
    }
    return render(request, "api/api_keys.html", context)


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk, workspace=current_workspace(request))
    _workspace_for_key_manager(request)
    revoke_key(key)
    messages.info(request, f"Key “{key.name}” revoked: requests using it are now refused.")
    return redirect("api_settings:keys")


@login_required
@require_POST
def webhook_secret_rotate(request: HttpRequest) -> HttpResponse:
    rotate_webhook_secret(_workspace_for_key_manager(request))
    messages.info(request, "New webhook secret: webhooks are signed with it from now on; update your receivers.")
    return redirect("api_settings:keys")
