from allauth.account.signals import user_signed_up
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.access import CURRENT_WORKSPACE
from accounts.invitations import PENDING_INVITATION, InvitationRefused, accept
from accounts.services import ensure_personal_workspace


@receiver(user_signed_up)
def create_workspace_on_sign_up(request, user, **kwargs) -> None:
    ensure_personal_workspace(user)


@receiver(user_logged_in)
def join_the_invited_workspace(request, user, **kwargs) -> None:
    """Someone who opened an invitation link signed out, then signed in or up: they join at once."""
    token = request.session.pop(PENDING_INVITATION, None) if request is not None else None
    if not token:
        return
    try:
        membership = accept(token, user)
    except InvitationRefused as refusal:
        messages.error(request, str(refusal))
        return
    request.session[CURRENT_WORKSPACE] = membership.workspace_id
    messages.success(request, f"Welcome to {membership.workspace.name}: you are now working there.")
