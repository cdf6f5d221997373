"""The audit log: what owners and admins did is recorded, shown to them (not to editors), exported as CSV and
forgotten after AUDIT_KEEP_DAYS."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEntry, Membership
from accounts.services import ensure_personal_workspace
from tests.factories import make_member
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db
AUDIT = reverse("workspaces:audit")


@pytest.fixture
def workspace(owner):
    return ensure_personal_workspace(owner)


def test_member_and_key_changes_are_recorded_with_who_did_them(
    workspace, owner_client, django_capture_on_commit_callbacks
):
    editor = make_member("ed@example.com")
    membership = Membership.objects.create(workspace=workspace, user=editor, role=Membership.Role.EDITOR)
    owner_client.post(reverse("workspaces:member_role", args=[membership.pk]), {"role": "viewer"})
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("workspaces:invite"), {"email": "new@example.com", "role": "editor"})
    owner_client.post(reverse("api_settings:keys"), {"name": "CI"})
    owner_client.post(reverse("workspaces:member_remove", args=[membership.pk]))

    page = owner_client.get(AUDIT).content.decode()
    for line in ("ed@example.com: editor → viewer", "Invited new@example.com as editor", "Created API key “CI”",
                 "Removed ed@example.com"):  # fmt: skip
        assert line in page
    assert list(AuditEntry.objects.values_list("actor_email", flat=True).distinct()) == ["owner@example.com"]


def test_the_csv_export_has_every_entry_and_defuses_formulas(workspace, owner, owner_client):
    audit.record(workspace, owner, "key.created", '=HYPERLINK("http://evil")')
    response = owner_client.get(AUDIT, {"format": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    assert body.splitlines()[0] == "time (UTC),who,action,what"
    assert "owner@example.com,key.created,\"'=HYPERLINK" in body


def test_editors_cannot_read_it(workspace):
    editor = make_member("ed@example.com")
    Membership.objects.create(workspace=workspace, user=editor, role=Membership.Role.EDITOR)
    client = client_working_in(editor, workspace)
    assert client.get(AUDIT).status_code == 403
    assert client.get(AUDIT, {"format": "csv"}).status_code == 403


def test_entries_older_than_the_keeping_time_are_forgotten(workspace, owner, settings):
    old, recent = audit.record(workspace, owner, "a.old", "Old"), audit.record(workspace, owner, "a.new", "New")
    long_ago = timezone.now() - timedelta(days=settings.AUDIT_KEEP_DAYS + 1)
    AuditEntry.objects.filter(pk=old.pk).update(created_at=long_ago)
    assert audit.prune() == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [recent.pk]


def test_a_deleted_account_keeps_its_address_in_the_log(workspace, owner):
    entry = audit.record(workspace, make_member("gone@example.com"), "member.left", "gone@example.com left")
    entry.actor.delete()
    entry.refresh_from_db()
    assert entry.actor is None and entry.actor_email == "gone@example.com"
