"""The Account page: links to change e-mail and password, export my data (a streamed zip), and delete my
account (confirmed by typing the e-mail; refused while the person is the only owner of a workspace others use)."""

import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import AuditEntry, Membership, Workspace
from renders.models import RenderJob, RenderOutput
from scripts.models import Script
from tests.factories import (
    MembershipFactory,
    RenderJobFactory,
    VoiceFactory,
    WorkspaceFactory,
    make_member,
    workspace_of,
)
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db
Role = Membership.Role
ACCOUNT, EXPORT, DELETE = reverse("studio:account"), reverse("studio:account_export"), reverse("studio:account_delete")


def test_the_page_links_to_e_mail_and_password_and_lists_my_workspaces(owner_client, owner):
    page = owner_client.get(ACCOUNT).content.decode()
    assert reverse("account_email") in page and reverse("account_change_password") in page
    assert "Owner" in page and EXPORT in page and "Delete my account" in page
    assert f'href="{ACCOUNT}"' in owner_client.get(reverse("studio:home")).content.decode()  # the header menu


def test_export_is_a_zip_of_my_scripts_voices_and_jobs_with_output_links(owner_client, owner, outsider):
    workspace = workspace_of(owner)
    Script.objects.create(workspace=workspace, title="Mine", body="Host: Hi.", created_by=owner)
    Script.objects.create(workspace=workspace, title="A colleague's", body="Host: Yo.", created_by=outsider)
    Script.objects.create(workspace=workspace_of(outsider), title="Elsewhere", body="Host: No.", created_by=outsider)
    VoiceFactory(workspace=workspace, name="Narrator", vendor_clone_id="clone-secret")
    job = RenderJobFactory(workspace=workspace, created_by=owner, title="Launch", status=RenderJob.Status.SUCCEEDED)
    RenderOutput.objects.create(job=job, kind=RenderOutput.Kind.MP3, file="outputs/a.mp3")

    response = owner_client.get(EXPORT)
    assert response.status_code == 200 and response.streaming and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    folder = f"workspaces/{workspace.pk}"
    assert json.loads(archive.read("account.json"))[0]["email"] == "owner@example.com"
    assert [script["title"] for script in json.loads(archive.read(f"{folder}/scripts.json"))] == ["Mine"]
    voices = archive.read(f"{folder}/voices.json").decode()
    assert "Narrator" in voices and "clone-secret" not in voices
    [exported] = json.loads(archive.read(f"{folder}/jobs.json"))
    link = f"http://testserver{reverse('renders:job_file', args=[job.public_id, 'mp3'])}"
    assert exported["title"] == "Launch" and exported["outputs"] == {"mp3": link}
    assert not any(name.startswith(f"workspaces/{workspace_of(outsider).pk}/") for name in archive.namelist())


def test_deleting_my_account_takes_my_own_workspaces_and_leaves_the_others(owner_client, owner):
    mine = workspace_of(owner)
    Script.objects.create(workspace=mine, title="Mine", body="Host: Hi.", created_by=owner)
    shared = WorkspaceFactory(name="Shared")
    MembershipFactory(workspace=shared, user=owner, role=Role.OWNER)
    MembershipFactory(workspace=shared, user=make_member("other@example.com"), role=Role.OWNER)
    response = owner_client.post(DELETE, {"email": "OWNER@example.com "})
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert not get_user_model().objects.filter(email="owner@example.com").exists()
    assert not Workspace.objects.filter(pk=mine.pk).exists() and not Script.objects.filter(title="Mine").exists()
    assert Workspace.objects.filter(pk=shared.pk).exists() and shared.memberships.count() == 1
    assert AuditEntry.objects.get(workspace=shared, action="member.account_deleted").summary == (
        "owner@example.com deleted their account"
    )
    assert owner_client.get(ACCOUNT).status_code == 302  # signed out


def test_the_only_owner_of_a_workspace_others_use_is_told_which_one(owner_client, owner):
    team = WorkspaceFactory(name="Acme team")
    MembershipFactory(workspace=team, user=owner, role=Role.OWNER)
    MembershipFactory(workspace=team, user=make_member("ed@example.com"), role=Role.EDITOR)
    response = owner_client.post(DELETE, {"email": "owner@example.com"})
    page = response.content.decode()
    assert response.status_code == 200 and "You are the only owner of Acme team, which other people still use" in page
    assert get_user_model().objects.filter(pk=owner.pk).exists() and Workspace.objects.filter(pk=team.pk).exists()


def test_a_render_in_progress_in_my_own_workspace_holds_the_deletion_back(owner_client, owner):
    RenderJobFactory(workspace=workspace_of(owner), status=RenderJob.Status.RUNNING, title="Launch video")
    page = owner_client.post(DELETE, {"email": "owner@example.com"}).content.decode()
    assert "renders in progress (Launch video)" in page and get_user_model().objects.filter(pk=owner.pk).exists()


def test_the_e_mail_must_be_typed(owner_client, owner):
    page = owner_client.post(DELETE, {"email": "someone@example.com"}).content.decode()
    assert "Type your e-mail address, owner@example.com, exactly" in page
    assert get_user_model().objects.filter(pk=owner.pk).exists()
    assert client_working_in(owner).get(DELETE).status_code == 405
