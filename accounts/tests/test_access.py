"""The one access rule: members see their workspaces' objects, everyone else gets a 404."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.http import Http404
from django.test import RequestFactory

from accounts.access import RoleRequired, get_for_member, member_workspace
from accounts.models import Membership
from scripts.models import Script
from tests.factories import MembershipFactory, ScriptFactory, UserFactory, WorkspaceFactory, workspace_of

pytestmark = pytest.mark.django_db


def request_of(user, session: dict | None = None):
    request = RequestFactory().get("/")
    request.user, request.session = user, session or {}
    return request


def test_it_finds_an_object_of_the_members_workspace(owner):
    script = ScriptFactory(workspace=workspace_of(owner))
    assert get_for_member(Script.objects, request_of(owner), pk=script.pk) == script


def test_it_refuses_other_workspaces(owner, outsider):
    theirs = ScriptFactory(workspace=workspace_of(outsider))
    with pytest.raises(Http404):
        get_for_member(Script.objects, request_of(owner), pk=theirs.pk)


def test_it_allows_every_workspace_the_user_belongs_to(owner):
    team = MembershipFactory(user=owner).workspace
    script = ScriptFactory(workspace=team)
    assert get_for_member(Script.objects, request_of(owner), pk=script.pk) == script


def test_anonymous_visitors_see_nothing(client):
    from django.contrib.auth.models import AnonymousUser

    script = ScriptFactory()
    with pytest.raises(Http404):
        get_for_member(Script.objects, request_of(AnonymousUser()), pk=script.pk)


def test_the_session_chooses_the_workspace_among_the_members_own(owner, outsider):
    own = workspace_of(owner)
    team = MembershipFactory(user=owner).workspace
    assert member_workspace(request_of(owner, {"workspace_id": team.pk})) == team
    # A workspace id of someone else's workspace in the session falls back to the member's own.
    assert member_workspace(request_of(owner, {"workspace_id": workspace_of(outsider).pk})) == own


def test_a_user_without_a_workspace_gets_a_personal_one():
    user = UserFactory()
    workspace = member_workspace(request_of(user))
    assert workspace.memberships.get(user=user).role == Membership.Role.OWNER


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Membership.Role.OWNER, True), (Membership.Role.EDITOR, False)],
)
def test_only_owners_act_where_the_owner_role_is_required(role, allowed):
    membership = MembershipFactory(workspace=WorkspaceFactory(), role=role)
    request = request_of(membership.user, {"workspace_id": membership.workspace_id})
    if allowed:
        assert member_workspace(request, roles={Membership.Role.OWNER}) == membership.workspace
    else:
        with pytest.raises(RoleRequired, match="Only the workspace's owners"):
            member_workspace(request, roles={Membership.Role.OWNER})


def test_the_migration_makes_members_editors_and_leaves_owners():
    migration = importlib.import_module("accounts.migrations.0002_roles_admin_editor_viewer")
    member = MembershipFactory(role="member")  # the role every non-owner had before
    owner = MembershipFactory(role=Membership.Role.OWNER)
    migration.members_become_editors(global_apps, None)
    member.refresh_from_db()
    owner.refresh_from_db()
    assert (member.role, owner.role) == (Membership.Role.EDITOR, Membership.Role.OWNER)
