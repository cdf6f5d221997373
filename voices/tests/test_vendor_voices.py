"""ElevenLabs voices are scoped: a workspace speaks with ElevenLabs' stock voices and the clones it made, never
another tenant's clone; deleting a clone deletes it at ElevenLabs. The real SDK against the local fake."""

import ast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_q.models import Schedule

import lanes
from accounts.services import ensure_personal_workspace
from voices.models import Voice
from voices.tests.test_views import speech_like_wav

pytestmark = pytest.mark.django_db
RACHEL = "21m00Tcm4TlvDq8ikWAM"


def eleven_post(name: str, voice_id: str = "", **extra) -> dict:
    return {"name": name, "engine": "elevenlabs", "language": "en", "elevenlabs-voice_id": voice_id, **extra}


def clone(client, fake, name: str = "Me", voice_id: str = "cloned-1") -> Voice:
    fake.answer("/v1/voices/add", 200, {"voice_id": voice_id, "requires_verification": False})
    upload = SimpleUploadedFile("me.wav", speech_like_wav(), content_type="audio/wav")
    assert client.post(reverse("voices:new"), eleven_post(name, sample=upload)).status_code == 302
    return Voice.objects.get(name=name)


def sent(fake, method: str) -> list[str]:
    return [request.path for request in fake.requests if request.method == method]


def test_a_stock_voice_may_be_used(owner_client, fake):
    fake.answer(f"/v1/voices/{RACHEL}", 200, {"voice_id": RACHEL, "name": "Rachel", "category": "premade"})
    assert owner_client.post(reverse("voices:new"), eleven_post("Rachel", RACHEL)).status_code == 302
    voice = Voice.objects.get(name="Rachel")
    assert (voice.engine_voice_id, voice.vendor_clone_id) == (RACHEL, "")


def test_a_clone_is_recorded_as_the_workspaces_own(owner_client, fake):
    voice = clone(owner_client, fake)
    assert (voice.engine_voice_id, voice.vendor_clone_id) == ("cloned-1", "cloned-1")


def test_another_tenants_clone_is_refused_even_when_its_id_leaked(owner_client, outsider_client, fake):
    clone(owner_client, fake)
    fake.answer("/v1/voices/cloned-1", 200, {"voice_id": "cloned-1", "name": "Me", "category": "cloned"})
    response = outsider_client.post(reverse("voices:new"), eleven_post("Stolen", "cloned-1"))
    assert response.status_code == 200
    assert "is not one of ElevenLabs' stock voices or a clone made in this workspace" in " ".join(
        response.context["form"].errors["elevenlabs-voice_id"]
    )
    assert not Voice.objects.filter(name="Stolen").exists()


def test_an_edit_cannot_switch_a_voice_to_someone_elses_clone(owner_client, owner, fake):
    voice = Voice.objects.create(
        workspace=ensure_personal_workspace(owner), name="Rachel", engine="elevenlabs", engine_voice_id=RACHEL
    )
    fake.answer("/v1/voices/theirs-9", 200, {"voice_id": "theirs-9", "name": "X", "category": "professional"})
    response = owner_client.post(reverse("voices:edit", args=[voice.pk]), eleven_post("Rachel", "theirs-9"))
    assert "not one of ElevenLabs' stock voices" in " ".join(response.context["form"].errors["elevenlabs-voice_id"])
    voice.refresh_from_db()
    assert voice.engine_voice_id == RACHEL


def test_a_voice_id_elevenlabs_does_not_know_is_named(owner_client, fake):
    response = owner_client.post(reverse("voices:new"), eleven_post("Ghost", "nobody-1"))
    assert "ElevenLabs has no voice &#x27;nobody-1&#x27;" in response.content.decode()
    assert not Voice.objects.filter(name="Ghost").exists()


def test_the_workspaces_own_clone_may_back_a_second_voice_without_asking_elevenlabs(owner_client, fake):
    clone(owner_client, fake)
    before = len(fake.requests)
    assert owner_client.post(reverse("voices:new"), eleven_post("Me calm", "cloned-1")).status_code == 302
    assert len(fake.requests) == before  # our own record answered, no vendor lookup


def test_deleting_a_clone_deletes_it_at_elevenlabs(owner_client, fake):
    voice = clone(owner_client, fake)
    fake.answer("/v1/voices/cloned-1", 200, {"status": "ok"})
    assert owner_client.post(reverse("voices:delete", args=[voice.pk])).status_code == 302
    assert sent(fake, "DELETE") == ["/v1/voices/cloned-1"]
    assert not Voice.objects.exists()


def test_deleting_a_stock_voice_leaves_elevenlabs_alone(owner_client, owner, fake):
    voice = Voice.objects.create(
        workspace=ensure_personal_workspace(owner), name="Rachel", engine="elevenlabs", engine_voice_id=RACHEL
    )
    owner_client.post(reverse("voices:delete", args=[voice.pk]))
    assert sent(fake, "DELETE") == [] and not Voice.objects.exists()


def test_a_clone_another_voice_still_speaks_with_is_handed_over_not_deleted(owner_client, fake):
    first = clone(owner_client, fake)
    owner_client.post(reverse("voices:new"), eleven_post("Me calm", "cloned-1"))
    owner_client.post(reverse("voices:delete", args=[first.pk]))
    assert sent(fake, "DELETE") == []
    assert Voice.objects.get().vendor_clone_id == "cloned-1"


def test_a_clone_already_gone_at_elevenlabs_still_lets_the_voice_go(owner_client, fake):
    voice = clone(owner_client, fake)  # the fake answers 404 for the clone's path: it is gone there
    owner_client.post(reverse("voices:delete", args=[voice.pk]))
    assert sent(fake, "DELETE") == ["/v1/voices/cloned-1"] and not Voice.objects.exists()


def test_when_elevenlabs_cannot_delete_the_clone_the_voice_stays(owner_client, fake):
    voice = clone(owner_client, fake)
    fake.answer("/v1/voices/cloned-1", 503, {"detail": {"status": "unavailable"}})
    response = owner_client.post(reverse("voices:delete", args=[voice.pk]), follow=True)
    assert "ElevenLabs is having trouble (HTTP 503)" in response.content.decode()
    assert Voice.objects.filter(pk=voice.pk, vendor_clone_id="cloned-1").exists()


def test_deleting_a_workspace_deletes_its_clones_at_elevenlabs_once_committed(
    owner_client, owner, fake, django_capture_on_commit_callbacks
):
    clone(owner_client, fake)
    owner_client.post(reverse("voices:new"), eleven_post("Me calm", "cloned-1"))  # the same clone, twice
    Voice.objects.create(  # past the Free plan's voice allowance, so not through the form
        workspace=ensure_personal_workspace(owner), name="Other", engine="elevenlabs",
        engine_voice_id="cloned-2", vendor_clone_id="cloned-2",
    )  # fmt: skip
    fake.answer("/v1/voices/cloned-1", 200, {"status": "ok"})
    fake.answer("/v1/voices/cloned-2", 404, {"detail": {"status": "voice_not_found"}})  # already gone: fine
    with django_capture_on_commit_callbacks(execute=True):
        ensure_personal_workspace(owner).delete()
        assert sent(fake, "DELETE") == []  # nothing leaves before the deletion is committed
    assert sorted(sent(fake, "DELETE")) == ["/v1/voices/cloned-1", "/v1/voices/cloned-2"]
    assert not Voice.objects.exists()


def test_a_clone_elevenlabs_cannot_delete_after_a_workspace_deletion_is_tried_again_later(
    owner_client, owner, fake, django_capture_on_commit_callbacks
):
    clone(owner_client, fake)
    fake.answer("/v1/voices/cloned-1", 503, {"detail": {"status": "unavailable"}})
    with django_capture_on_commit_callbacks(execute=True):
        ensure_personal_workspace(owner).delete()
    assert sent(fake, "DELETE") == ["/v1/voices/cloned-1"]
    retry = Schedule.objects.get(func=lanes.RETRY_TASK)  # on the fast lane, after a wait
    assert ast.literal_eval(retry.args)[:2] == ("voices.tasks.delete_vendor_clone", ("elevenlabs", "cloned-1"))

    fake.answer("/v1/voices/cloned-1", 200, {"status": "ok"})
    lanes.run_retrying(*ast.literal_eval(retry.args))  # what the schedule runs when its time comes
    assert sent(fake, "DELETE") == ["/v1/voices/cloned-1", "/v1/voices/cloned-1"]
