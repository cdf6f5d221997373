"""Inviting people into a workspace by e-mail, and their answer.

The mail carries a random token; only its SHA-256 is stored, so the database alone cannot be used to join.
An invitation is single-use (answered with its row locked), expires after INVITATION_DAYS, and may be resent
(a new token: the old link stops working) or revoked. It is accepted by whoever signs in with the invited
address, whether they had an account before or sign up through the link.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import audit
from accounts.models import Invitation, Membership, Workspace
from accounts.seats import refusal as seats_refusal

Role = Membership.Role
PENDING_INVITATION = "invitation_token"  # the session remembers a link opened signed out, to join on sign-in


class InvitationRefused(Exception):
    """Said to the person who asked: why this invitation cannot be made, sent or answered; `upgrade_url`
    when a bigger plan is the way out."""

    def __init__(self, message: str, *, upgrade_url: str = ""):
        super().__init__(message)
        self.upgrade_url = upgrade_url


def _lock_seats(workspace_id: int) -> None:
    """Holds the workspace's row until commit, so two invitations or acceptances never count the same free seat."""
    Workspace.objects.select_for_update().only("pk").get(pk=workspace_id)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _send(invitation: Invitation, accept_url: str) -> None:
    context = {"invitation": invitation, "accept_url": accept_url, "days": settings.INVITATION_DAYS}
    send_mail(
        subject=f"Join {invitation.workspace.name} on OmniVibe",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(token)
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + timedelta(days=settings.INVITATION_DAYS)
    return token


def invite(by: Membership, email: str, role: str, link_for) -> Invitation:
    """Invite `email` into `by`'s workspace; `link_for(token)` is the absolute accept URL. A pending invitation
    to the same address is replaced (its link stops working)."""
    workspace, email = by.workspace, email.strip().lower()
    if role == Role.OWNER and by.role != Role.OWNER:
        raise InvitationRefused("Only an owner can invite an owner.")
    if workspace.memberships.filter(user__email__iexact=email).exists():
        raise InvitationRefused(f"{email} is already a member of {workspace.name}.")
    with transaction.atomic():
        _lock_seats(workspace.pk)
        pending = workspace.invitations.select_for_update().filter(
            email=email, accepted_at=None, declined_at=None, revoked_at=None
        )
        pending.update(revoked_at=timezone.now())
        waiting = workspace.invitations.filter(revoked_at=None, accepted_at=None, declined_at=None).count()
        if waiting >= settings.INVITATIONS_PENDING_MAX:
            raise InvitationRefused(
                f"{workspace.name} has {settings.INVITATIONS_PENDING_MAX} invitations waiting for an answer: "
                "revoke some first."
            )
        # Each invitation waiting for an answer holds a seat, so acceptances cannot overfill the workspace.
        if full := seats_refusal(workspace, workspace.memberships.count() + waiting + 1):
            raise InvitationRefused(full.message, upgrade_url=full.upgrade_url)
        invitation = Invitation(workspace=workspace, email=email, role=role, invited_by=by.user)
        token = _new_token(invitation)
        invitation.save()
        audit.record(
            workspace, by.user, "invitation.sent", f"Invited {email} as {invitation.get_role_display().lower()}"
        )
        transaction.on_commit(lambda: _send(invitation, link_for(token)))
    return invitation


def resend(invitation: Invitation, link_for, *, by) -> None:
    if not invitation.is_pending:
        raise InvitationRefused(f"The invitation to {invitation.email} was already answered or revoked.")
    token = _new_token(invitation)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    audit.record(invitation.workspace_id, by, "invitation.resent", f"Sent the invitation to {invitation.email} again")
    transaction.on_commit(lambda: _send(invitation, link_for(token)))


def revoke(invitation: Invitation, *, by) -> None:
    if invitation.is_pending:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit.record(
            invitation.workspace_id, by, "invitation.withdrawn", f"Withdrew the invitation to {invitation.email}"
        )


def _usable(token: str, *, lock: bool = False) -> Invitation:
    rows = Invitation.objects.select_related("workspace", "invited_by")
    invitation = (rows.select_for_update(of=("self",)) if lock else rows).filter(token_hash=_hash(token)).first()
    if invitation is None:
        raise InvitationRefused("This invitation link is not valid: it may have been resent with a newer link.")
    if invitation.accepted_at:
        raise InvitationRefused("This invitation was already accepted.")
    if invitation.revoked_at or invitation.declined_at:
        raise InvitationRefused("This invitation was withdrawn or declined.")
    if invitation.expires_at <= timezone.now():
        raise InvitationRefused("This invitation has expired: ask for a new one.")
    return invitation


def find(token: str) -> Invitation:
    return _usable(token)


def accept(token: str, user) -> Membership:
    with transaction.atomic():
        invitation = _usable(token, lock=True)
        if user.email.lower() != invitation.email:
            raise InvitationRefused(
                f"This invitation was sent to {invitation.email}, and you are signed in as {user.email}: "
                "sign in with the invited address to accept it."
            )
        workspace = invitation.workspace
        _lock_seats(workspace.pk)
        # Counted again: the plan may have shrunk, or members joined another way, since it was sent.
        if not workspace.memberships.filter(user=user).exists() and seats_refusal(
            workspace, workspace.memberships.count() + 1
        ):
            # The plan is not the invitee's to change (the billing page would show their own workspace).
            asker = invitation.invited_by.email if invitation.invited_by else "its owners"
            raise InvitationRefused(
                f"{workspace.name} has no free seat on its plan right now: ask {asker} to free one or upgrade, "
                "then open this link again."
            )
        membership, _ = Membership.objects.get_or_create(
            workspace=workspace, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record(
            invitation.workspace_id, user, "invitation.accepted",
            f"{user.email} joined as {membership.get_role_display().lower()}",
        )  # fmt: skip
    return membership


def decline(token: str) -> Invitation:
    with transaction.atomic():
        invitation = _usable(token, lock=True)
        invitation.declined_at = timezone.now()
        invitation.save(update_fields=["declined_at"])
        audit.record(
            invitation.workspace_id, None, "invitation.declined", f"{invitation.email} declined the invitation"
        )
    return invitation
