"""The pronunciation dictionary over the API: CRUD in the key's workspace, campaign entries, bounded input."""

import pytest

from scripts import pronunciations
from scripts.models import Campaign, Pronunciation
from tests.factories import workspace_of

from .test_auth import error_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/pronunciations"


def test_an_entry_is_added_shown_changed_and_deleted(api, owner):
    created = api.post(URL, {"written": "  Acme ", "spoken": "Ack-mee"}, format="json")
    assert created.status_code == 201, created.json()
    entry = created.json()
    assert (entry["written"], entry["spoken"], entry["kind"], entry["campaign"]) == (
        "Acme",
        "Ack-mee",
        "respelling",
        None,
    )
    assert Pronunciation.objects.get(pk=entry["id"]).workspace == workspace_of(owner)

    assert api.patch(f"{URL}/{entry['id']}", {"spoken": "Ak-mi"}, format="json").json()["spoken"] == "Ak-mi"
    replaced = api.put(f"{URL}/{entry['id']}", {"written": "Acme Cloud", "spoken": "Ak-mi Clowd"}, format="json")
    assert replaced.status_code == 200 and replaced.json()["written"] == "Acme Cloud"
    assert api.get(URL).json()["results"] == [api.get(f"{URL}/{entry['id']}").json()]

    assert api.delete(f"{URL}/{entry['id']}").status_code == 204
    assert not Pronunciation.objects.exists()


def test_a_campaign_has_its_own_entry_for_a_word_of_the_workspace(api, owner):
    campaign = Campaign.objects.create(workspace=workspace_of(owner), name="Spring")
    assert api.post(URL, {"written": "Acme", "spoken": "Ack-mee"}, format="json").status_code == 201
    response = api.post(URL, {"written": "ACME", "spoken": "Ak-mi", "campaign": campaign.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert pronunciations.lexicon_for(workspace_of(owner)) == {"Acme": "Ack-mee"}
    assert pronunciations.lexicon_for(workspace_of(owner), campaign) == {"ACME": "Ak-mi"}


def test_an_entry_may_be_ipa_phonemes_which_a_job_gets_as_a_phoneme_block(api, owner):
    created = api.post(URL, {"written": "Acme", "spoken": "ˈækmi", "kind": "phonemes"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["kind"] == "phonemes"
    assert pronunciations.lexicon_for(workspace_of(owner)) == {"Acme": "[[ ˈækmi ]]"}
    # Changing only the kind of a respelling makes its letters phonemes, which must be the voice's.
    other = api.post(URL, {"written": "Vibe", "spoken": "Vybe"}, format="json").json()
    refused = api.patch(f"{URL}/{other['id']}", {"kind": "phonemes"}, format="json")
    assert refused.status_code == 400
    assert (
        error_of(refused)["message"]
        == "spoken: The Piper voice has no phoneme for “V” (U+0056); write the word in IPA, e.g. ˈækmi."
    )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"written": "Acme", "spoken": "ack[mi]", "kind": "phonemes"}, "spoken"),
        ({"written": "Acme", "spoken": "ackmi", "kind": "ipa"}, "kind"),
        ({"spoken": "Ack-mee"}, "written"),
        ({"written": "Acme"}, "spoken"),
        ({"written": "   ", "spoken": "Ack-mee"}, "written"),
        ({"written": "Acme", "spoken": "--"}, "spoken"),
        ({"written": "!!", "spoken": "bang"}, "written"),
        ({"written": "A" * 101, "spoken": "Ack-mee"}, "written"),
        ({"written": "Acme", "spoken": "a" * 201}, "spoken"),
        ({"written": "Ac\x00me", "spoken": "Ack-mee"}, "written"),
        ({"written": "Acme", "spoken": "Ack-mee", "campaign": 999_999}, "campaign"),
        ({"written": "Acme", "spoken": "Ack-mee", "campaign": "spring"}, "campaign"),
    ],
)
def test_bad_input_is_400_with_a_message_naming_the_field(api, data, field):
    response = api.post(URL, data, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert field in error["details"] and error["message"].startswith(f"{field}: ")
    assert not Pronunciation.objects.exists()


def test_a_word_already_in_the_dictionary_is_400_in_any_case(api):
    assert api.post(URL, {"written": "Acme", "spoken": "Ack-mee"}, format="json").status_code == 201
    response = api.post(URL, {"written": "acme", "spoken": "Ak-mi"}, format="json")
    assert response.status_code == 400 and error_of(response)["message"] == (
        "written: “acme” is already in this workspace's dictionary."
    )
    other = api.post(URL, {"written": "Vibe", "spoken": "Vybe"}, format="json").json()
    renamed = api.patch(f"{URL}/{other['id']}", {"written": "ACME"}, format="json")
    assert renamed.status_code == 400 and "already" in error_of(renamed)["message"]


def test_a_full_dictionary_refuses_more_entries(api, owner, monkeypatch):
    monkeypatch.setattr(pronunciations, "MAX_ENTRIES", 2)
    for word in ("One", "Two"):
        assert api.post(URL, {"written": word, "spoken": "x"}, format="json").status_code == 201
    response = api.post(URL, {"written": "Three", "spoken": "x"}, format="json")
    assert response.status_code == 400 and "up to 2 pronunciations" in error_of(response)["message"]
    assert Pronunciation.objects.count() == 2


def test_another_workspaces_entries_are_404_and_never_listed(api, outsider_api, outsider):
    theirs = Campaign.objects.create(workspace=workspace_of(outsider), name="Theirs")
    entry = Pronunciation.objects.create(workspace=workspace_of(outsider), written="Acme", spoken="Ack-mee")
    for response in (
        api.get(f"{URL}/{entry.pk}"),
        api.patch(f"{URL}/{entry.pk}", {"spoken": "Acne"}, format="json"),
        api.delete(f"{URL}/{entry.pk}"),
    ):
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert api.get(URL).json()["count"] == 0
    response = api.post(URL, {"written": "Acme", "spoken": "x", "campaign": theirs.pk}, format="json")
    assert response.status_code == 400 and "campaign" in error_of(response)["details"]
    assert Pronunciation.objects.get(pk=entry.pk).spoken == "Ack-mee"


def test_the_endpoint_is_in_the_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/pronunciations"])
    assert {"get", "put", "patch", "delete"} <= set(schema["paths"]["/api/v1/pronunciations/{id}"])
