"""Deletes are in the workspace's audit log, with who did them, from the Studio and over the API."""

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from scripts.models import Campaign, Pronunciation, Script
from tests.factories import CampaignFactory, RenderJobFactory, ScriptFactory, VoiceFactory, workspace_of

pytestmark = pytest.mark.django_db


def said(workspace) -> list[tuple[str, str]]:
    deletes = AuditEntry.objects.filter(workspace=workspace, action__endswith="deleted").order_by("pk")
    return list(deletes.values_list("action", "summary"))


def test_studio_deletes_are_recorded(owner, owner_client):
    workspace = workspace_of(owner)
    script = ScriptFactory(workspace=workspace, title="Pitch")
    campaign = CampaignFactory(workspace=workspace, name="Launch")
    job = RenderJobFactory(workspace=workspace, title="Pitch video")
    voice = VoiceFactory(workspace=workspace, name="Narrator")
    entry = Pronunciation.objects.create(workspace=workspace, written="Acme", spoken="Ack-mee")

    owner_client.post(reverse("studio:script_delete", args=[script.pk]))
    owner_client.post(reverse("studio:campaign_delete", args=[campaign.pk]))
    owner_client.post(reverse("studio:render_delete", args=[job.public_id]))
    owner_client.post(reverse("voices:delete", args=[voice.pk]))
    owner_client.post(reverse("studio:pronunciation_delete", args=[entry.pk]))

    assert said(workspace) == [
        ("script.deleted", "Deleted the script “Pitch”"),
        ("campaign.deleted", "Deleted the campaign “Launch”"),
        ("render.deleted", "Deleted the render “Pitch video” and its files"),
        ("voice.deleted", "Deleted the voice “Narrator”"),
        ("pronunciation.deleted", "Deleted the pronunciation of “Acme”"),
    ]
    assert set(
        AuditEntry.objects.filter(workspace=workspace, action__endswith="deleted").values_list("actor", flat=True)
    ) == {owner.pk}


def test_api_deletes_are_recorded_as_the_keys_creator(owner, api):
    workspace = workspace_of(owner)
    script = ScriptFactory(workspace=workspace, title="Pitch")
    campaign = CampaignFactory(workspace=workspace, name="Launch")
    job = RenderJobFactory(workspace=workspace, title="Pitch video")
    entry = Pronunciation.objects.create(workspace=workspace, written="Acme", spoken="Ack-mee")

    assert api.delete(f"/api/v1/scripts/{script.pk}").status_code == 204
    assert api.delete(f"/api/v1/campaigns/{campaign.pk}").status_code == 204
    assert api.delete(f"/api/v1/jobs/{job.public_id}").status_code == 200
    assert api.delete(f"/api/v1/pronunciations/{entry.pk}").status_code == 204

    assert not Script.objects.filter(pk=script.pk).exists() and not Campaign.objects.filter(pk=campaign.pk).exists()
    assert said(workspace) == [
        ("script.deleted", "Deleted the script “Pitch”"),
        ("campaign.deleted", "Deleted the campaign “Launch”"),
        ("render.files_deleted", "Deleted the files of the render “Pitch video”"),
        ("pronunciation.deleted", "Deleted the pronunciation of “Acme”"),
    ]
    assert set(
        AuditEntry.objects.filter(workspace=workspace, action__endswith="deleted").values_list("actor", flat=True)
    ) == {owner.pk}
