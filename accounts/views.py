"""Choosing the workspace to work in, starting a new one, and its members (its settings: studio/workspace.py)."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts import audit, invitations
from accounts.access import CURRENT_WORKSPACE, has_role, member_workspace
from accounts.forms import InviteForm, WorkspaceForm
from accounts.invitations import InvitationRefused
from accounts.members import MembershipRefused, change_role, leave, remove_member
from accounts.models import Invitation, Membership, Workspace
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
def members(request: HttpRequest, invite_form: InviteForm | None = None) -> HttpResponse:
    workspace = member_workspace(request)
    may_manage = has_role(workspace, request.user, MANAGERS)
    pending = workspace.invitations.filter(accepted_at=None, declined_at=None, revoked_at=None)
    return render(
        request,
        "accounts/members.html",
        {
            "workspace": workspace,
            "memberships": workspace.memberships.select_related("user").order_by("user__email"),
            "may_manage": may_manage,
            "roles": Membership.Role.choices,
            "invite_form": invite_form or InviteForm(),
            "invitations": pending.select_related("invited_by").order_by("-sent_at") if may_manage else [],
            "now": timezone.now(),
        },
    )


def _link_for(request: HttpRequest):
    return lambda token: request.build_absolute_uri(reverse("workspaces:invitation", args=[token]))


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=MANAGERS)
    form = InviteForm(request.POST)
    if form.is_valid():
        by = workspace.memberships.get(user=request.user)
        try:
            invitations.invite(by, form.cleaned_data["email"], form.cleaned_data["role"], _link_for(request))
        except InvitationRefused as refusal:
            form.add_error(None, _with_way_out(refusal))
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("workspaces:members")
    return members(request, invite_form=form)


def _with_way_out(refusal: InvitationRefused) -> str:
    if not refusal.upgrade_url:
        return str(refusal)
    return format_html('{} <a href="{}">See plans and upgrade</a>', str(refusal), refusal.upgrade_url)


def _managed_invitation(request: HttpRequest, invitation_id: int) -> Invitation:
    workspace = member_workspace(request, roles=MANAGERS)
    return get_object_or_404(Invitation, pk=invitation_id, workspace=workspace)


@login_required
@require_POST
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _managed_invitation(request, invitation_id)
    return _back_to_members(
        request,
        lambda: invitations.resend(invitation, _link_for(request), by=request.user),
        lambda: f"Invitation sent to {invitation.email} again; the earlier link no longer works.",
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _managed_invitation(request, invitation_id)
    invitations.revoke(invitation, by=request.user)
    messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("workspaces:members")


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the mail: who invites whom, then Accept (signed in as the invited address) or Decline."""
    try:
        found = invitations.find(token)
    except InvitationRefused as refusal:
        return render(request, "accounts/invitation.html", {"refusal": str(refusal)}, status=410)
    if request.method == "POST":
        return _answer(request, token, found)
    if not request.user.is_authenticated:
        request.session[invitations.PENDING_INVITATION] = token  # signing in or up next joins (accounts/signals.py)
    return render(request, "accounts/invitation.html", {"invitation": found})


def _answer(request: HttpRequest, token: str, found: Invitation) -> HttpResponse:
    try:
        if "decline" in request.POST:
            invitations.decline(token)
            messages.success(request, f"You declined the invitation to {found.workspace.name}.")
            return redirect("studio:home" if request.user.is_authenticated else "account_login")
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        membership = invitations.accept(token, request.user)
    except InvitationRefused as refusal:
        return render(request, "accounts/invitation.html", {"invitation": found, "refusal": str(refusal)}, status=400)
    request.session[CURRENT_WORKSPACE] = membership.workspace_id
    messages.success(request, f"Welcome to {membership.workspace.name}: you are now working there.")
    return redirect("studio:home")


def _managed(request: HttpRequest, membership_id: int) -> tuple[Membership, Membership]:
    """The membership to change, in the current workspace, and the manager's own (RoleRequired: 403)."""
    workspace = member_workspace(request, roles=MANAGERS)
    target = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, workspace=workspace)
    return target, workspace.memberships.get(user=request.user)


@login_required
@require_POST
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    target, by = _managed(request, membership_id)
    return _back_to_members(
        request,
        lambda: change_role(target, request.POST.get("role", ""), by=by),
        lambda: f"{target.user.email} is now {target.get_role_display().lower()}.",
    )


@login_required
@require_POST
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    target, by = _managed(request, membership_id)
    return _back_to_members(
        request,
        lambda: remove_member(target, by=by),
        lambda: f"{target.user.email} is no longer a member; their API keys stopped working.",
    )


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


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=MANAGERS)
    entries = workspace.audit_entries.order_by("-created_at", "-pk")
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(audit.csv_lines(entries.iterator()), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-{workspace.pk}-{timezone.now():%Y%m%d}.csv"'
        return response
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"workspace": workspace, "page": page})


def _back_to_members(request: HttpRequest, change: Callable[[], object], done: Callable[[], str]) -> HttpResponse:
    """Make a change from the members page and say how it went there: why it was refused, or `done()`."""
    try:
        change()
    except (MembershipRefused, InvitationRefused) as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done())
    return redirect("workspaces:members")
