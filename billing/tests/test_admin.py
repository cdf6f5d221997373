"""Staff corrections in the admin: a usage adjustment goes through the ledger, with a reason."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from billing.models import UsageEntry, WorkspacePlan
from billing.selectors import usage_summary

pytestmark = pytest.mark.django_db


def test_staff_credit_usage_with_a_note(admin_client, admin_user, plans, workspace):
    add = reverse("admin:billing_usageentry_add")
    form = {"workspace": workspace.pk, "narration_seconds": "-60", "video_renders": "-1", "note": "Outage credit"}
    response = admin_client.post(add, form)
    assert response.status_code == 302
    entry = UsageEntry.objects.get()
    assert (entry.kind, entry.narration_seconds, entry.video_renders) == ("adjustment", Decimal(-60), -1)
    assert entry.created_by == admin_user and entry.note == "Outage credit"
    assert usage_summary(workspace)["narration_seconds"]["used"] == -60.0


def test_an_adjustment_without_a_reason_is_refused(admin_client, plans, workspace):
    add = reverse("admin:billing_usageentry_add")
    response = admin_client.post(add, {"workspace": workspace.pk, "narration_seconds": "60", "video_renders": "0"})
    assert response.status_code == 200 and "Say why" in response.content.decode()
    assert not UsageEntry.objects.exists()


def test_ledger_rows_cannot_be_edited(admin_client, plans, workspace):
    entry = UsageEntry.objects.create(workspace=workspace, narration_seconds=10, note="a render")
    change = reverse("admin:billing_usageentry_change", args=[entry.pk])
    admin_client.post(change, {"workspace": workspace.pk, "narration_seconds": "0", "video_renders": "0", "note": "x"})
    entry.refresh_from_db()
    assert entry.narration_seconds == 10 and entry.note == "a render"


def test_staff_changing_a_plan_is_in_the_workspace_audit_log(admin_client, admin_user, plans, workspace):
    state = WorkspacePlan.objects.create(workspace=workspace, plan=plans["free"])
    assert not AuditEntry.objects.filter(workspace=workspace).exists()  # every workspace starts on Free
    change = reverse("admin:billing_workspaceplan_change", args=[state.pk])
    form = {"workspace": workspace.pk, "plan": plans["business"].pk, "status": "active"}
    assert admin_client.post(change, form).status_code == 302
    entry = AuditEntry.objects.get(workspace=workspace, action="plan.changed")
    assert entry.summary == "Plan: Business (active) (was Free (active))" and entry.actor == admin_user

    admin_client.post(change, form)  # saved again unchanged: nothing new to say
    assert AuditEntry.objects.filter(workspace=workspace, action="plan.changed").count() == 1
