"""The members page: roles changed and members removed by owners and admins; a workspace always keeps an owner."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from accounts.services import ensure_personal_workspace
from api.keys import create_key
from api.models import ApiKey
from tests.factories import make_member
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def workspace(owner):
    return ensure_personal_workspace(owner)


def join(workspace, email: str, role: str) -> tuple[Membership, Client]:
    user = make_member(email)
    membership = Membership.objects.create(workspace=workspace, user=user, role=role)
    return membership, client_working_in(user, workspace)


def flashed(response) -> str:
    """The message this response flashed (the last one: earlier ones wait in the session until shown)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def role_url(membership: Membership) -> str:
    return reverse("workspaces:member_role", args=[membership.pk])


def test_the_page_lists_members_with_their_roles_and_hides_the_controls_from_editors(workspace, owner_client):
    _, editor_client = join(workspace, "ed@example.com", Role.EDITOR)
    page = owner_client.get(reverse("workspaces:members")).content.decode()
    assert "ed@example.com" in page and "owner@example.com" in page and 'name="role"' in page
    page = editor_client.get(reverse("workspaces:members")).content.decode()
    assert "ed@example.com" in page and 'name="role"' not in page and "Only the workspace's owners and admins" in page


def test_an_owner_changes_a_role(workspace, owner_client):
    editor, _ = join(workspace, "ed@example.com", Role.EDITOR)
    response = owner_client.post(role_url(editor), {"role": Role.VIEWER})
    assert response.status_code == 302 and flashed(response) == "ed@example.com is now viewer."
    editor.refresh_from_db()
    assert editor.role == Role.VIEWER


def test_an_unknown_role_is_refused_with_a_message(workspace, owner_client):
    editor, _ = join(workspace, "ed@example.com", Role.EDITOR)
    response = owner_client.post(role_url(editor), {"role": "emperor"})
    assert "Choose one of the roles" in flashed(response)
    editor.refresh_from_db()
    assert editor.role == Role.EDITOR


def test_an_admin_can_neither_make_an_owner_nor_touch_one(workspace, owner):
    editor, _ = join(workspace, "ed@example.com", Role.EDITOR)
    _, admin_client = join(workspace, "admin@example.com", Role.ADMIN)
    response = admin_client.post(role_url(editor), {"role": Role.OWNER})
    assert flashed(response) == "Only an owner can make someone an owner."
    owners = workspace.memberships.get(user=owner)
    response = admin_client.post(reverse("workspaces:member_remove", args=[owners.pk]))
    assert flashed(response) == "Only an owner can change or remove an owner."
    assert workspace.memberships.filter(user=owner, role=Role.OWNER).exists()


def test_the_last_owner_cannot_step_down_or_leave_but_can_once_there_is_another(workspace, owner, owner_client):
    mine = workspace.memberships.get(user=owner)
    response = owner_client.post(role_url(mine), {"role": Role.ADMIN})
    assert flashed(response) == "A workspace needs an owner: make someone else an owner first."
    response = owner_client.post(reverse("workspaces:leave"))
    assert "only owner" in flashed(response)

    other, _ = join(workspace, "co@example.com", Role.EDITOR)
    owner_client.post(role_url(other), {"role": Role.OWNER})
    response = owner_client.post(reverse("workspaces:leave"))
    assert response.status_code == 302 and flashed(response) == f"You left {workspace.name}."
    assert not workspace.memberships.filter(user=owner).exists()
    assert "workspace_id" not in owner_client.session


def test_a_removed_member_loses_the_workspace_and_their_keys(workspace, owner_client):
    editor, _ = join(workspace, "ed@example.com", Role.EDITOR)
    key, _ = create_key(workspace, name="ed's", user=editor.user)
    response = owner_client.post(reverse("workspaces:member_remove", args=[editor.pk]))
    assert flashed(response) == "ed@example.com is no longer a member; their API keys stopped working."
    assert not workspace.memberships.filter(pk=editor.pk).exists()
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    table = owner_client.get(reverse("workspaces:members")).content.decode().split('<table id="members">')[1]
    assert "ed@example.com" not in table


def test_editors_and_viewers_are_refused_and_other_workspaces_members_are_404(workspace, owner_client, outsider):
    editor, editor_client = join(workspace, "ed@example.com", Role.EDITOR)
    assert editor_client.post(role_url(editor), {"role": Role.ADMIN}).status_code == 403
    theirs = ensure_personal_workspace(outsider).memberships.get()
    assert owner_client.post(role_url(theirs), {"role": Role.VIEWER}).status_code == 404
    assert owner_client.post(reverse("workspaces:member_remove", args=[theirs.pk])).status_code == 404
