"""A workspace's settings page (owners and admins rename it) and its danger zone (owners delete it after
typing its name; refused while renders are in progress or a paid subscription still runs)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.html import escape

from accounts.models import AuditEntry, Membership, Workspace
from renders.models import RenderJob, RenderOutput
from scripts.models import Campaign, Script
from tests.factories import (
    CampaignFactory,
    MembershipFactory,
    RenderJobFactory,
    VoiceFactory,
    WorkspaceFactory,
    make_member,
    put_on_plan,
    workspace_of,
)
from tests.fixtures import client_working_in

pytestmark = [pytest.mark.django_db, pytest.mark.storage]  # stored files: .ci/run runs these on a bucket too
Role = Membership.Role
SETTINGS, DELETE = reverse("studio:workspace_settings"), reverse("studio:workspace_delete")


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
    response = client.post(SETTINGS, {"name": "Acme studio", "default_language": "en"})
    assert response.status_code == 302
    assert Workspace.objects.get(pk=team.pk).name == "Acme studio"
    entry = AuditEntry.objects.get(workspace=team, action="workspace.renamed")
    assert entry.summary == "Renamed Acme team to Acme studio" and entry.actor == admin
    assert not AuditEntry.objects.filter(action__in=["workspace.language", "workspace.default_campaign"]).exists()


def test_new_scripts_start_in_the_language_and_campaign_the_settings_name(owner, api):
    mine = workspace_of(owner)  # the one `api` has a key for
    launch = CampaignFactory(workspace=mine, name="Launch")
    client = client_working_in(owner, mine)
    response = client.post(SETTINGS, {"name": "Mine", "default_language": "de-DE", "default_campaign": launch.pk})
    assert response.status_code == 302
    summaries = set(AuditEntry.objects.filter(workspace=mine).values_list("summary", flat=True))
    assert {"New scripts start in de-DE (was en)", "New scripts start in the campaign Launch"} <= summaries
    page = client.get(SETTINGS).content.decode()
    assert 'value="de-DE"' in page and f'<option value="{launch.pk}" selected>' in page

    new_page = client.get(reverse("studio:script_new"))
    form = new_page.context["form"]
    assert (form["campaign"].value(), form["language"].value()) == (launch.pk, "de-DE")  # the editor's picks
    posted = {"title": "Hallo", "campaign": launch.pk, "language": "de-DE", "body": "Host: Hallo zusammen."}
    saved = client.post(reverse("studio:script_new"), posted)
    assert saved.status_code == 302, saved.context["form"].errors
    made = Script.objects.get(title="Hallo")
    assert (made.language, made.campaign) == ("de-DE", launch)

    # The API's new scripts too, when the request leaves them out (and a request's own choice wins).
    body = api.post("/api/v1/scripts", {"title": "Via API", "body": "Host: Hallo."}, format="json").json()
    assert (body["language"], body["campaign"]) == ("de-DE", launch.pk)
    body = api.post(
        "/api/v1/scripts", {"title": "Plain", "body": "Host: Hi.", "language": "en", "campaign": None}, format="json"
    ).json()
    assert (body["language"], body["campaign"]) == ("en", None)

    # Back to no campaign; a campaign can be the default of one workspace only, and a copy is never the default.
    client.post(SETTINGS, {"name": "Mine", "default_language": "de-DE", "default_campaign": ""})
    assert not Campaign.objects.filter(workspace=mine, is_default=True).exists()
    assert "New scripts start in no campaign" in AuditEntry.objects.filter(workspace=mine).values_list(
        "summary", flat=True
    )


def test_another_workspaces_campaign_or_a_bad_language_is_a_form_error(team, owner):
    elsewhere = CampaignFactory(name="Theirs")
    client = client_working_in(owner, team)
    response = client.post(SETTINGS, {"name": "Acme team", "default_language": "en", "default_campaign": elsewhere.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = client.post(SETTINGS, {"name": "Acme team", "default_language": "english!"})
    assert response.status_code == 200 and "Use a language tag like" in response.content.decode()
    assert Workspace.objects.get(pk=team.pk).default_language == "en"
    assert not Campaign.objects.filter(is_default=True).exists()


def test_a_blank_name_is_a_form_error_and_the_page_keeps_the_real_name(team, owner):
    response = client_working_in(owner, team).post(SETTINGS, {"name": "", "default_language": "en"})
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
