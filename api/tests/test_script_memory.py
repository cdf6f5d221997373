"""GET /api/v1/scripts/{id}/similar and the speakers' voices stored on a script over the API."""

import pytest

from renders.models import RenderJob
from scripts.memory import remember
from scripts.models import Script
from tests.factories import ScriptFactory, VoiceFactory, published_video, workspace_of

from .test_auth import error_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/scripts"
BREAD = "Host: Today we bake sourdough bread at home, from the starter to the crust."


def test_similar_scripts_are_listed_most_similar_first(api, owner):
    workspace = workspace_of(owner)
    script = ScriptFactory(workspace=workspace, title="Sourdough", body=BREAD)
    close = ScriptFactory(workspace=workspace, title="Baking", body="Host: Baking loaves of bread with a starter.")
    closer = ScriptFactory(workspace=workspace, title="Sourdough again", body=BREAD + " Let us bake.")
    for other in (close, closer):
        remember(other.pk)
    response = api.get(f"{URL}/{script.pk}/similar")
    assert response.status_code == 200, response.json()
    found = response.json()
    assert [item["id"] for item in found] == [closer.pk, close.pk]
    assert set(found[0]) == {"id", "title", "campaign", "updated_at", "similarity", "performance"}
    assert found[0]["similarity"] > found[1]["similarity"]
    assert [item["id"] for item in api.get(f"{URL}/{script.pk}/similar?limit=1").json()] == [closer.pk]


def test_ranked_by_performance_the_scripts_whose_videos_did_best_come_first_with_their_numbers(api, owner):
    workspace = workspace_of(owner)
    script = ScriptFactory(workspace=workspace, title="Sourdough", body=BREAD)
    close = ScriptFactory(workspace=workspace, title="Baking", body="Host: Baking loaves of bread with a starter.")
    closer = ScriptFactory(workspace=workspace, title="Sourdough again", body=BREAD + " Let us bake.")
    for other in (close, closer):
        remember(other.pk)
    published_video(close, 1200, watch_minutes=300.0)

    by_meaning = api.get(f"{URL}/{script.pk}/similar").json()
    ranked = api.get(f"{URL}/{script.pk}/similar", {"rank": "performance"}).json()

    assert [item["id"] for item in by_meaning] == [closer.pk, close.pk]
    assert [item["id"] for item in ranked] == [close.pk, closer.pk]
    assert ranked[0]["performance"] == {"views": 1200, "watch_minutes": 300.0, "videos": 1}
    assert ranked[1]["performance"] is None
    refused = api.get(f"{URL}/{script.pk}/similar", {"rank": "views"})
    assert refused.status_code == 400 and "rank" in error_of(refused)["details"]


@pytest.mark.parametrize("limit", ["0", "21", "x", "1%00", "99999999999999999999"])
def test_a_bad_limit_is_a_400(api, owner, limit):
    script = ScriptFactory(workspace=workspace_of(owner))
    response = api.get(f"{URL}/{script.pk}/similar", {"limit": limit})
    assert response.status_code == 400 and "limit" in error_of(response)["details"]


def test_another_workspaces_script_is_not_found(api, outsider):
    script = ScriptFactory(workspace=workspace_of(outsider), body=BREAD)
    assert api.get(f"{URL}/{script.pk}/similar").status_code == 404


def test_speakers_voices_are_stored_and_used_by_renders(api, owner):
    voice = VoiceFactory(workspace=workspace_of(owner), name="Narrator", engine_voice_id="joe-deep")
    body = {
        "title": "Two voices",
        "body": "Host: Hello there.\nGuest: Hi!",
        "voices": {"Host": f"voice:{voice.pk}", "Guest": "builtin:joe-calm"},
    }
    created = api.post(URL, body, format="json")
    assert created.status_code == 201, created.json()
    assert Script.objects.get(pk=created.json()["id"]).voices == body["voices"]
    job = api.post("/api/v1/renders", {"script_id": created.json()["id"], "kind": "audio"}, format="json")
    assert job.status_code == 202, job.json()
    voices = RenderJob.objects.get().render_options.voices
    assert voices["Host"]["voice_id"] == "joe-deep" and voices["Host"]["voice_pk"] == voice.pk
    assert voices["Guest"]["voice_id"] == "joe-calm"


@pytest.mark.parametrize("choice", ["voice:999999", "builtin:nobody", "joe", "voice:1e3", "voice:-1"])
def test_a_voice_that_is_not_ours_is_refused(api, outsider, choice):
    theirs = VoiceFactory(workspace=workspace_of(outsider))
    for pick in (choice, f"voice:{theirs.pk}"):
        response = api.post(URL, {"title": "T", "body": "Host: Hi.", "voices": {"Host": pick}}, format="json")
        assert response.status_code == 400 and "voices" in error_of(response)["details"]
    assert not Script.objects.exists()


def test_without_the_models_package_similar_scripts_say_so(api, owner, owner_client, monkeypatch):
    from mediakit.text import embeddings

    def missing():
        raise embeddings.EmbeddingUnavailable("the embedding model is not installed")

    monkeypatch.setattr(embeddings, "_MODEL", embeddings._Model())  # a process that has not loaded it yet
    monkeypatch.setattr(embeddings, "_files", missing)  # as on an install without the package
    script = ScriptFactory(workspace=workspace_of(owner), body=BREAD)
    response = api.get(f"{URL}/{script.pk}/similar")
    assert response.status_code == 503 and "not installed" in error_of(response)["message"]
    html = owner_client.get(f"/studio/scripts/{script.pk}/similar/").content.decode()
    assert "Similar scripts are not available here" in html
