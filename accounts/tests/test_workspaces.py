"""The header's workspace switcher and "New workspace"."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Membership, Workspace
from accounts.services import ensure_personal_workspace
from scripts.models import Script
from tests.factories import MembershipFactory, WorkspaceFactory, workspace_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(owner):
    team = WorkspaceFactory(name="Acme team")
    MembershipFactory(workspace=team, user=owner, role=Membership.Role.EDITOR)
    Script.objects.create(workspace=team, title="Team launch video", body="Host: Hi.")
    return team


def test_the_header_lists_the_members_workspaces_with_their_roles(owner_client, owner, team):
    page = owner_client.get(reverse("studio:home")).content.decode()
    assert escape(ensure_personal_workspace(owner).name) in page and "Acme team" in page and "Editor" in page
    assert reverse("workspaces:switch", args=[team.pk]) in page and reverse("workspaces:new") in page


def test_switching_makes_the_studio_work_in_the_chosen_workspace(owner_client, team):
    assert "Team launch video" not in owner_client.get(reverse("studio:scripts")).content.decode()
    response = owner_client.post(reverse("workspaces:switch", args=[team.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("studio:home")
    assert "Team launch video" in owner_client.get(reverse("studio:scripts")).content.decode()


def test_switching_to_a_workspace_one_is_not_a_member_of_is_a_404(owner_client, outsider):
    theirs = workspace_of(outsider)
    assert owner_client.post(reverse("workspaces:switch", args=[theirs.pk])).status_code == 404
    assert "workspace_id" not in owner_client.session


def test_switching_needs_a_post(owner_client, team):
    assert owner_client.get(reverse("workspaces:switch", args=[team.pk])).status_code == 405


def test_a_new_workspace_is_owned_by_its_creator_and_becomes_the_current_one(owner_client, owner):
    response = owner_client.post(reverse("workspaces:new"), {"name": "  Client B  "})
    assert response.status_code == 302
    created = Workspace.objects.get(name="Client B")
    assert created.memberships.get().user == owner and created.memberships.get().role == "owner"
    assert owner_client.session["workspace_id"] == created.pk


def test_a_blank_name_is_a_form_error(owner_client):
    response = owner_client.post(reverse("workspaces:new"), {"name": "   "})
    assert response.status_code == 200 and response.context["form"].errors["name"]


def test_owning_too_many_workspaces_is_refused_with_a_reason(owner_client, owner, settings):
    settings.WORKSPACES_PER_OWNER = 1  # the owner has their personal workspace
    response = owner_client.post(reverse("workspaces:new"), {"name": "One more"})
    assert response.status_code == 200
    assert "may own at most 1 workspaces, and you own 1" in " ".join(response.context["form"].non_field_errors())
    assert not Workspace.objects.filter(name="One more").exists()
