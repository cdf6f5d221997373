"""The Studio's API settings page: keys (created, shown once, revoked), the webhook secret, recent deliveries.

Everyone in the workspace sees the keys and deliveries; only KEY_MANAGER_ROLES (owners and admins) create and
revoke keys and see or rotate the webhook secret (anyone else gets a 403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_for_member, has_role, member_workspace, require_role
from api.forms import ApiKeyForm
from api.keys import KEY_MANAGER_ROLES, create_key, revoke_key, rotate_webhook_secret, webhook_secret_for
from api.models import ApiKey, WebhookDelivery
from billing.limits import current_plan


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=KEY_MANAGER_ROLES if request.method == "POST" else None)
    manages_keys = has_role(workspace, request.user, KEY_MANAGER_ROLES)
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
    key = get_for_member(ApiKey.objects, request, pk=pk)
    require_role(key.workspace, request.user, KEY_MANAGER_ROLES)
    revoke_key(key, by=request.user)
    messages.info(request, f"Key “{key.name}” revoked: requests using it are now refused.")
    return redirect("api_settings:keys")


@login_required
@require_POST
def webhook_secret_rotate(request: HttpRequest) -> HttpResponse:
    rotate_webhook_secret(member_workspace(request, roles=KEY_MANAGER_ROLES), by=request.user)
    messages.info(request, "New webhook secret: webhooks are signed with it from now on; update your receivers.")
    return redirect("api_settings:keys")
