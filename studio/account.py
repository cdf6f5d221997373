"""The signed-in person's own account: where to change e-mail and password, export my data, delete my account."""

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.account import AccountRefused, delete_account
from studio.export import export_chunks


class DeleteAccountForm(forms.Form):
    email = forms.CharField(label="Type your e-mail address to confirm", max_length=254)


@login_required
def account(request: HttpRequest, delete_form: DeleteAccountForm | None = None) -> HttpResponse:
    memberships = request.user.memberships.select_related("workspace").order_by("workspace__name")
    two_factor = request.user.authenticator_set.filter(type=Authenticator.Type.TOTP).exists()
    context = {"memberships": memberships, "delete_form": delete_form or DeleteAccountForm(), "two_factor": two_factor}
    return render(request, "studio/account.html", context)


@login_required
def account_export(request: HttpRequest) -> StreamingHttpResponse:
    def link_for(job, kind: str) -> str:
        return request.build_absolute_uri(reverse("renders:job_file", args=[job.public_id, kind]))

    response = StreamingHttpResponse(export_chunks(request.user, link_for), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="omnivibe-export-{timezone.now():%Y-%m-%d}.zip"'
    return response


@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST)
    if form.is_valid():
        email = request.user.email
        try:
            delete_account(request.user, form.cleaned_data["email"])
        except AccountRefused as refusal:
            form.add_error("email", str(refusal))
        else:
            logout(request)
            messages.success(request, f"The account {email} and its own workspaces were deleted.")
            return redirect("account_login")
    return account(request, delete_form=form)
