"""Invitations by e-mail: sent by owners and admins, answered through the mailed link, single-use, expiring,
resendable and revocable; accepted only by whoever signs in with the invited address."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership
from accounts.services import ensure_personal_workspace
from tests.factories import PASSWORD, UserFactory, make_member, put_on_plan
from tests.fixtures import client_working_in
from tests.security.servers import production_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_after_each_post")]  # the mails leave
Role = Membership.Role
INVITE = reverse("workspaces:invite")


@pytest.fixture
def workspace(owner):
    return ensure_personal_workspace(owner)


def mailed_link() -> str:
    """The path of the link in the newest mail."""
    return re.search(r"http://testserver(/workspaces/invitations/\S+/)", mail.outbox[-1].body).group(1)


def invite(client, email: str, role: str = Role.EDITOR):
    return client.post(INVITE, {"email": email, "role": role})


def test_an_invited_colleague_accepts_through_the_mailed_link(workspace, owner_client):
    response = invite(owner_client, "Colleague@Example.com")
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["colleague@example.com"] and workspace.name in message.subject
    assert "owner@example.com invited you" in message.body and "as editor" in message.body
    assert "colleague@example.com" in owner_client.get(reverse("workspaces:members")).content.decode()

    colleague = client_working_in(make_member("colleague@example.com"))
    link = mailed_link()
    assert "Accept and join" in colleague.get(link).content.decode()
    response = colleague.post(link, {"accept": ""})
    assert response.status_code == 302 and colleague.session["workspace_id"] == workspace.pk
    assert workspace.memberships.get(user__email="colleague@example.com").role == Role.EDITOR
    again = colleague.get(link)
    assert again.status_code == 410 and "already accepted" in again.content.decode()


def test_signed_out_the_link_offers_sign_in_and_sign_up_that_come_back_to_it(workspace, owner_client):
    invite(owner_client, "new@example.com", Role.VIEWER)
    client = Client()
    link = mailed_link()
    page = client.get(link).content.decode()
    assert "new@example.com" in page and f"/accounts/signup/?next={link}" in page and "viewer" in page
    response = client.post(link, {"accept": ""})
    assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={link.replace('/', '%2F')}"


def test_another_account_cannot_accept_it(workspace, owner_client, outsider):
    invite(owner_client, "colleague@example.com")
    response = client_working_in(outsider).post(mailed_link(), {"accept": ""})
    assert response.status_code == 400
    assert "sent to colleague@example.com, and you are signed in as outsider@example.com" in response.content.decode()
    assert not workspace.memberships.filter(user=outsider).exists()


def test_declining_needs_no_account_and_ends_the_invitation(workspace, owner_client):
    invite(owner_client, "nope@example.com")
    client = Client()
    link = mailed_link()
    assert client.post(link, {"decline": ""}).status_code == 302
    assert Invitation.objects.get().declined_at is not None
    assert client.get(link).status_code == 410


def test_an_expired_or_withdrawn_link_says_so(workspace, owner_client, owner):
    colleague = client_working_in(make_member("colleague@example.com"))
    invite(owner_client, "colleague@example.com")
    link = mailed_link()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = colleague.post(link, {"accept": ""})
    assert response.status_code == 410 and "has expired: ask for a new one" in response.content.decode()

    invitation = Invitation.objects.get()
    owner_client.post(reverse("workspaces:invitation_resend", args=[invitation.pk]))
    assert colleague.get(link).status_code == 410  # the first link died with the resend
    fresh = mailed_link()
    owner_client.post(reverse("workspaces:invitation_revoke", args=[invitation.pk]))
    response = colleague.get(fresh)
    assert response.status_code == 410 and "withdrawn or declined" in response.content.decode()
    assert not workspace.memberships.filter(user__email="colleague@example.com").exists()


def test_a_made_up_link_is_refused(client):
    response = client.get(reverse("workspaces:invitation", args=["not-a-real-token"]))
    assert response.status_code == 410 and "not valid" in response.content.decode()


@pytest.mark.parametrize(
    ("email", "role", "error"),
    [
        ("owner@example.com", Role.EDITOR, "owner@example.com is already a member"),
        ("not an address", Role.EDITOR, "Enter a valid email address."),
        ("x@example.com", "emperor", "Select a valid choice."),
    ],
)
def test_bad_invitations_are_form_errors(workspace, owner_client, email, role, error):
    response = invite(owner_client, email, role)
    assert response.status_code == 200 and error in response.content.decode() and not mail.outbox


def test_admins_invite_but_not_owners_and_editors_not_at_all(workspace, plans):
    put_on_plan(workspace, "creator")  # Free's three seats are taken by these three
    admin, editor = make_member("admin@example.com"), make_member("ed@example.com")
    Membership.objects.create(workspace=workspace, user=admin, role=Role.ADMIN)
    Membership.objects.create(workspace=workspace, user=editor, role=Role.EDITOR)
    as_admin, as_editor = client_working_in(admin, workspace), client_working_in(editor, workspace)
    assert "Only an owner can invite an owner." in invite(as_admin, "boss@example.com", Role.OWNER).content.decode()
    assert invite(as_admin, "helper@example.com", Role.VIEWER).status_code == 302
    assert invite(as_editor, "friend@example.com").status_code == 403


def test_with_debug_mails_land_in_var_mail():
    backend, path = production_settings("EMAIL_BACKEND", "EMAIL_FILE_PATH", DEBUG="1")
    assert backend == "django.core.mail.backends.filebased.EmailBackend" and path.endswith("/mail")


@pytest.mark.parametrize("has_account", [True, False])
def test_opening_the_link_signed_out_then_signing_in_or_up_joins_at_once(workspace, owner_client, has_account):
    invite(owner_client, "colleague@example.com", Role.VIEWER)
    browser = Client()
    browser.get(mailed_link())
    if has_account:
        UserFactory(username="colleague@example.com", email="colleague@example.com")
        browser.post(reverse("account_login"), {"login": "colleague@example.com", "password": PASSWORD})
    else:
        browser.post(reverse("account_signup"), {"email": "colleague@example.com", "password1": PASSWORD,
                                                "password2": PASSWORD})  # fmt: skip
    assert workspace.memberships.get(user__email="colleague@example.com").role == Role.VIEWER
    assert browser.session["workspace_id"] == workspace.pk
    assert Invitation.objects.get().accepted_at is not None


def test_signing_in_as_someone_else_after_opening_the_link_joins_nothing(workspace, owner_client, outsider):
    invite(owner_client, "colleague@example.com")
    browser = Client()
    browser.get(mailed_link())
    browser.post(reverse("account_login"), {"login": "outsider@example.com", "password": PASSWORD})
    assert not workspace.memberships.filter(user=outsider).exists()
    assert Invitation.objects.get().accepted_at is None
