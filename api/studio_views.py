"""The Studio's API settings page: keys (created, shown once, revoked), the webhook secret, recent deliveries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_for_member, member_workspace
from api.forms import ApiKeyForm
from api.keys import create_key, revoke_key, webhook_secret_for
from api.models import ApiKey, WebhookDelivery
from billing.limits import current_plan


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request)
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = create_key(
            workspace, name=form.cleaned_data["name"], user=request.user, expires_days=form.cleaned_data["expires_days"]
        )
        form = ApiKeyForm()
    context = {
        "workspace": workspace,
        "form": form,
        "new_key": new_key,  # rendered once, in this response only
        "keys": ApiKey.objects.filter(workspace=workspace),
        "webhook_secret": webhook_secret_for(workspace),
        "deliveries": WebhookDelivery.objects.filter(job__workspace=workspace).select_related("job")[:20],
        "plan": current_plan(workspace),  # keys of a plan without the API are refused (402): say so here
    }
    return render(request, "api/api_keys.html", context)


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_for_member(ApiKey.objects, request, pk=pk)
    revoke_key(key)
    messages.info(request, f"Key “{key.name}” revoked: requests using it are now refused.")
    return redirect("api_settings:keys")
