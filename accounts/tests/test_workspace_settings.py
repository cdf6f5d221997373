"""A workspace's settings page (owners and admins rename it) and its danger zone (owners delete it after
typing its name; refused while renders are in progress or a paid subscription still runs)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.html import escape

from accounts.models import AuditEntry, Membership, Workspace
from renders.models import RenderJob, RenderOutput
from scripts.models import Script
from tests.factories import (
    MembershipFactory,
    RenderJobFactory,
    VoiceFactory,
    WorkspaceFactory,
    make_member,
    put_on_plan,
)
from tests.fixtures import client_working_in

pytestmark = [pytest.mark.django_db, pytest.mark.storage]  # stored files: .ci/run runs these on a bucket too
Role = Membership.Role
SETTINGS, DELETE = reverse("workspaces:settings"), reverse("workspaces:delete")


@pytest.fixture
def team(owner):
    team = WorkspaceFactory(name="Acme team")
    MembershipFactory(workspace=team, user=owner, role=Role.OWNER)
    return team


def test_an_admin_renames_the_workspace_and_the_audit_log_says_so(team):
    admin = make_member("admin@example.com")
    MembershipFactory(workspace=team, user=admin, role=Role.ADMIN)
    client = client_working_in(admin, team)
    page = client.get(SETTINGS).content.decode()
    assert "Settings of Acme team" in page and "Danger zone" not in page  # deleting is for owners
    assert f'href="{SETTINGS}"' in client.get(reverse("studio:home")).content.decode()  # the header menu
    response = client.post(SETTINGS, {"name": "Acme studio"})
    assert response.status_code == 302
    assert Workspace.objects.get(pk=team.pk).name == "Acme studio"
    entry = AuditEntry.objects.get(workspace=team, action="workspace.renamed")
    assert entry.summary == "Renamed Acme team to Acme studio" and entry.actor == admin


def test_a_blank_name_is_a_form_error_and_the_page_keeps_the_real_name(team, owner):
    response = client_working_in(owner, team).post(SETTINGS, {"name": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "This field is required." in page and "Settings of Acme team" in page
    assert Workspace.objects.get(pk=team.pk).name == "Acme team"


def test_editors_neither_see_the_settings_nor_find_them_in_the_menu(team):
    editor = make_member("ed@example.com")
    MembershipFactory(workspace=team, user=editor, role=Role.EDITOR)
    client = client_working_in(editor, team)
    assert client.get(SETTINGS).status_code == 403
    assert f'href="{SETTINGS}"' not in client.get(reverse("studio:home")).content.decode()


def test_the_owner_deletes_the_workspace_and_everything_in_it(team, owner, django_capture_on_commit_callbacks):
    Script.objects.create(workspace=team, title="Launch", body="Host: Hi.")
    sample = VoiceFactory(workspace=team, sample=ContentFile(b"RIFF", name="sample.wav")).sample
    job = RenderJobFactory(workspace=team, status=RenderJob.Status.SUCCEEDED)
    output = RenderOutput.objects.create(job=job, kind=RenderOutput.Kind.MP3, file=ContentFile(b"ID3", name="a.mp3"))
    files = [sample.name, output.file.name]  # storage names: a folder's or a bucket's, the same test
    kept = VoiceFactory(sample=ContentFile(b"RIFF", name="other.wav")).sample  # another workspace's
    assert all(default_storage.exists(name) for name in files)
    MembershipFactory(workspace=team, user=make_member("ed@example.com"), role=Role.EDITOR)
    client = client_working_in(owner, team)
    assert "Danger zone" in client.get(SETTINGS).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, {"confirmation": "Acme team"})
    assert response.status_code == 302 and "workspace_id" not in client.session
    assert not any(default_storage.exists(name) for name in files) and default_storage.exists(kept.name)
    assert not Workspace.objects.filter(pk=team.pk).exists()
    assert not Script.objects.filter(workspace_id=team.pk).exists()
    assert not Membership.objects.filter(workspace_id=team.pk).exists()
    page = client.get(reverse("studio:home"), follow=True).content.decode()
    assert "Acme team was deleted with everything in it." in page


@pytest.mark.parametrize("typed", ["acme team", "Acme", ""])
def test_the_name_must_be_typed_exactly(team, owner, typed):
    response = client_working_in(owner, team).post(DELETE, {"confirmation": typed})
    assert response.status_code == 200 and Workspace.objects.filter(pk=team.pk).exists()
    page = response.content.decode()
    assert "Type the workspace" in page or "This field is required." in page


def test_renders_in_progress_hold_the_deletion_back(team, owner):
    RenderJobFactory(workspace=team, status=RenderJob.Status.RUNNING, title="Launch video")
    response = client_working_in(owner, team).post(DELETE, {"confirmation": "Acme team"})
    page = response.content.decode()
    assert response.status_code == 200 and Workspace.objects.filter(pk=team.pk).exists()
    assert "Acme team cannot be deleted yet: renders in progress (Launch video)" in page


def test_a_paid_subscription_still_running_holds_the_deletion_back(team, owner, plans):
    put_on_plan(team, "pro", stripe_subscription_id="sub_123")
    page = client_working_in(owner, team).post(DELETE, {"confirmation": "Acme team"}).content.decode()
    assert Workspace.objects.filter(pk=team.pk).exists()
    assert escape("its Pro subscription is still running: cancel it under Billing") in page


def test_admins_cannot_delete(team):
    admin = make_member("admin@example.com")
    MembershipFactory(workspace=team, user=admin, role=Role.ADMIN)
    assert client_working_in(admin, team).post(DELETE, {"confirmation": "Acme team"}).status_code == 403
    assert Workspace.objects.filter(pk=team.pk).exists()
