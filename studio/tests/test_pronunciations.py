"""The Pronunciations page: list, add, edit, delete (writers only), "Hear it" with a chosen voice."""

import base64
import io
import wave

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from mediakit.text.pls import NAMESPACE, Lexeme, read_pls
from scripts.models import Campaign, Pronunciation
from tests.factories import VoiceFactory, make_member, workspace_of
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db
URL = reverse("studio:pronunciations")


@pytest.fixture
def entry(owner) -> Pronunciation:
    return Pronunciation.objects.create(workspace=workspace_of(owner), written="Acme", spoken="Ack-mee")


@pytest.fixture
def viewer_client(owner) -> Client:
    viewer = make_member("viewer@example.com")
    Membership.objects.create(workspace=workspace_of(owner), user=viewer, role=Membership.Role.VIEWER)
    return client_working_in(viewer, workspace_of(owner))


def test_the_page_is_in_the_navigation_and_lists_the_entries(owner_client, entry):
    assert f'href="{URL}"' in owner_client.get(reverse("studio:home")).content.decode()
    page = owner_client.get(URL).content.decode()
    assert "Acme" in page and "Ack-mee" in page and "Every script" in page and "Hear it" in page
    assert 'id="add-pronunciation"' in page


def test_an_entry_is_added_for_the_workspace_or_a_campaign(owner_client, owner):
    campaign = Campaign.objects.create(workspace=workspace_of(owner), name="Spring")
    response = owner_client.post(URL, {"written": " Acme ", "spoken": "Ack-mee"})
    assert response.status_code == 302 and response["Location"] == URL
    response = owner_client.post(URL, {"written": "acme", "spoken": "Ak-mi", "campaign": campaign.pk}, follow=True)
    assert "“acme” is said “Ak-mi” in renders from now on." in response.content.decode()
    assert sorted(Pronunciation.objects.values_list("written", "spoken", "campaign")) == [
        ("Acme", "Ack-mee", None),
        ("acme", "Ak-mi", campaign.pk),
    ]


def test_an_entry_may_be_phonemes(owner_client):
    response = owner_client.post(URL, {"written": "Acme", "spoken": " ˈæk  mi ", "kind": "phonemes"}, follow=True)
    assert "/ˈæk mi/" in response.content.decode()
    assert list(Pronunciation.objects.values_list("written", "spoken", "kind")) == [("Acme", "ˈæk mi", "phonemes")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"written": "Acme", "spoken": "AK-mee", "kind": "phonemes"},
            "The Piper voice has no phoneme for “A” (U+0041)",
        ),
        ({"written": "Acme", "spoken": "ack", "kind": "letters"}, "Select a valid choice."),
        ({"written": "", "spoken": "Ack-mee"}, "This field is required."),
        ({"written": "Acme", "spoken": "--"}, "Write how to say it in letters, e.g. Ack-mee."),
        ({"written": "A" * 101, "spoken": "x"}, "Ensure this value has at most 100 characters"),
        ({"written": "ACME", "spoken": "x"}, "“ACME” is already in this workspace&#x27;s dictionary."),
    ],
)
def test_a_bad_entry_is_a_form_error(owner_client, entry, data, message):
    response = owner_client.post(URL, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert Pronunciation.objects.count() == 1


def test_an_entry_is_edited_and_deleted(owner_client, entry):
    url = reverse("studio:pronunciation", args=[entry.pk])
    assert 'value="Ack-mee"' in owner_client.get(url).content.decode()
    assert owner_client.post(url, {"written": "Acme", "spoken": "Ak-mi"})["Location"] == URL
    assert Pronunciation.objects.get().spoken == "Ak-mi"
    delete = reverse("studio:pronunciation_delete", args=[entry.pk])
    assert "Delete the pronunciation “Acme”?" in owner_client.get(delete).content.decode()
    assert owner_client.post(delete)["Location"] == URL and not Pronunciation.objects.exists()


def test_viewers_see_the_list_but_change_nothing(viewer_client, entry):
    page = viewer_client.get(URL).content.decode()
    assert "Ack-mee" in page and 'id="add-pronunciation"' not in page and "Hear it" not in page
    assert viewer_client.post(URL, {"written": "Vibe", "spoken": "Vybe"}).status_code == 403
    for name in ("studio:pronunciation", "studio:pronunciation_delete"):
        assert viewer_client.post(reverse(name, args=[entry.pk]), {"written": "A", "spoken": "B"}).status_code == 403
    assert viewer_client.post(reverse("studio:pronunciation_hear", args=[entry.pk])).status_code == 403
    assert list(Pronunciation.objects.values_list("written", "spoken")) == [("Acme", "Ack-mee")]


def test_another_workspaces_entry_is_404(outsider_client, entry):
    for name in ("studio:pronunciation", "studio:pronunciation_delete", "studio:pronunciation_hear"):
        assert outsider_client.post(reverse(name, args=[entry.pk])).status_code == 404
    assert f"pronunciation-{entry.pk}" not in outsider_client.get(URL).content.decode()


def heard(response) -> str:
    from mediakit.speech.verify import hear

    wav = base64.b64decode(response.content.decode().split("data:audio/wav;base64,")[1].split('"')[0])
    with wave.open(io.BytesIO(wav)) as audio:
        samples = np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2").astype(np.float32) / 32768
        return hear(samples, audio.getframerate()).transcript


def test_hear_it_says_the_respelling_with_a_library_or_built_in_voice(owner_client, owner):
    entry = Pronunciation.objects.create(workspace=workspace_of(owner), written="2B", spoken="to be or not to be")
    voice = VoiceFactory(workspace=workspace_of(owner), name="Host", engine_voice_id="joe-deep")
    url = reverse("studio:pronunciation_hear", args=[entry.pk])
    page = owner_client.get(URL).content.decode()
    assert f'<option value="{voice.pk}">Host</option>' in page and 'value="builtin:joe-calm"' in page
    for choice in (voice.pk, "builtin:joe-calm"):
        response = owner_client.post(url, {"voice": choice}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and "<html" not in response.content.decode()
        assert "not to be" in heard(response).lower()
    assert "<html" in owner_client.post(url, {"voice": voice.pk}).content.decode()  # without htmx: a page


def test_hear_it_says_the_phonemes(owner_client, owner):
    # espeak's own phonemes for "good morning", written for "Acme": the voice says good morning.
    entry = Pronunciation.objects.create(
        workspace=workspace_of(owner), written="Acme", spoken="ɡˈʊd mˈɔːɹnɪŋ", kind=Pronunciation.Kind.PHONEMES
    )
    response = owner_client.post(reverse("studio:pronunciation_hear", args=[entry.pk]), {"voice": "builtin:joe"})
    assert response.status_code == 200 and "good morning" in heard(response).lower()


def test_hear_it_refuses_a_voice_that_is_not_offered(owner_client, outsider, entry):
    theirs = VoiceFactory(workspace=workspace_of(outsider), name="Theirs")
    url = reverse("studio:pronunciation_hear", args=[entry.pk])
    for choice in (theirs.pk, "builtin:nobody", ""):
        response = owner_client.post(url, {"voice": choice}, HTTP_HX_REQUEST="true")
        assert response.status_code == 400 and "Choose one of the voices." in response.content.decode()


def pls(*lexemes: str) -> SimpleUploadedFile:
    body = "".join(lexemes)
    data = (
        f'<?xml version="1.0"?><lexicon version="1.0" xmlns="{NAMESPACE}" alphabet="ipa" xml:lang="en">{body}</lexicon>'
    )
    return SimpleUploadedFile("words.pls", data.encode(), content_type="application/pls+xml")


IMPORT = reverse("studio:pronunciation_import")


def test_a_dictionary_is_exported_as_pls(owner_client, owner, entry):
    campaign = Campaign.objects.create(workspace=workspace_of(owner), name="Spring")
    Pronunciation.objects.create(workspace=workspace_of(owner), campaign=campaign, written="Vibe", spoken="Vybe")
    response = owner_client.get(reverse("studio:pronunciation_export"))
    assert response["Content-Type"] == "application/pls+xml"
    assert response["Content-Disposition"] == 'attachment; filename="pronunciations.pls"'
    assert read_pls(response.content) == [Lexeme(("Acme",), "Ack-mee")]
    response = owner_client.get(reverse("studio:pronunciation_export"), {"campaign": campaign.pk})
    assert read_pls(response.content) == [Lexeme(("Vibe",), "Vybe")]
    assert owner_client.get(reverse("studio:pronunciation_export"), {"campaign": "x"}).status_code == 400


def test_a_pls_file_is_imported_adding_and_changing_entries(owner_client, entry):
    upload = pls(
        "<lexeme><grapheme>ACME</grapheme><alias>Ak-mi</alias></lexeme>",
        "<lexeme><grapheme>Vibe</grapheme><grapheme>Vibes</grapheme><alias>Vybe</alias></lexeme>",
        "<lexeme><grapheme>tomato</grapheme><phoneme>t\u0259\u02c8me\u026ato\u028a</phoneme></lexeme>",
        '<lexeme><grapheme>potato</grapheme><phoneme alphabet="x-sampa">p@"teItoU</phoneme></lexeme>',
    )
    response = owner_client.post(IMPORT, {"file": upload}, follow=True)
    note = "Imported: 3 added, 1 changed. Skipped 1 with neither an alias nor IPA phonemes (“potato”)."
    assert note in response.content.decode()
    assert sorted(Pronunciation.objects.values_list("written", "spoken", "kind")) == [
        ("Acme", "Ak-mi", "respelling"),
        ("Vibe", "Vybe", "respelling"),
        ("Vibes", "Vybe", "respelling"),
        ("tomato", "t\u0259\u02c8me\u026ato\u028a", "phonemes"),
    ]


def test_phonemes_the_voice_cannot_say_are_refused_in_an_import(owner_client, entry):
    upload = pls("<lexeme><grapheme>Acme</grapheme><phoneme>[akme]</phoneme></lexeme>")
    response = owner_client.post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert "“Acme”: The Piper voice has no phoneme for “[” (U+005B) “]” (U+005D)" in response.content.decode()
    assert list(Pronunciation.objects.values_list("spoken", flat=True)) == ["Ack-mee"]


def test_an_import_into_a_campaign_leaves_the_workspaces_entries_alone(owner_client, owner, entry):
    campaign = Campaign.objects.create(workspace=workspace_of(owner), name="Spring")
    upload = pls("<lexeme><grapheme>Acme</grapheme><alias>Ak-mi</alias></lexeme>")
    assert owner_client.post(IMPORT, {"file": upload, "campaign": campaign.pk}).status_code == 302
    assert sorted(Pronunciation.objects.values_list("spoken", "campaign")) == [
        ("Ack-mee", None),
        ("Ak-mi", campaign.pk),
    ]


HOSTILE = (
    b'<?xml version="1.0"?><!DOCTYPE lexicon [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">]>'
    b"<lexicon><lexeme><grapheme>&b;</grapheme><alias>x</alias></lexeme></lexicon>"
)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("evil.pls", HOSTILE), "The file declares a DTD or entities, which are not allowed."),
        (SimpleUploadedFile("a.pls", b"<lexicon><lexeme>"), "The file is not well-formed XML"),
        (SimpleUploadedFile("a.pls", b"<lexicon>" + b" " * 600_000 + b"</lexicon>"), "larger than 512 KB"),
        (SimpleUploadedFile("a.pls", b""), "The submitted file is empty."),
        (pls("<lexeme><grapheme>!!</grapheme><alias>bang</alias></lexeme>"), "“!!”: Write the word or phrase"),
        (pls("<lexeme><grapheme>Acme</grapheme><alias>" + "a" * 201 + "</alias></lexeme>"), "200 characters"),
    ],
)
def test_a_bad_file_is_a_form_error_and_imports_nothing(owner_client, upload, message):
    response = owner_client.post(IMPORT, {"file": upload})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Pronunciation.objects.exists()


def test_an_import_that_would_overfill_the_dictionary_imports_nothing(owner_client, entry, monkeypatch):
    from scripts import pronunciations

    monkeypatch.setattr(pronunciations, "MAX_ENTRIES", 2)
    upload = pls(*(f"<lexeme><grapheme>Word{n}</grapheme><alias>x</alias></lexeme>" for n in range(2)))
    response = owner_client.post(IMPORT, {"file": upload})
    assert response.status_code == 400 and "up to 2 pronunciations" in response.content.decode()
    assert Pronunciation.objects.count() == 1


def test_viewers_may_export_but_not_import(viewer_client, entry):
    assert viewer_client.get(reverse("studio:pronunciation_export")).status_code == 200
    assert 'id="import-pls"' not in viewer_client.get(URL).content.decode()
    upload = pls("<lexeme><grapheme>Vibe</grapheme><alias>Vybe</alias></lexeme>")
    assert viewer_client.post(IMPORT, {"file": upload}).status_code == 403
    assert Pronunciation.objects.count() == 1


def test_hear_it_says_phonemes_with_an_elevenlabs_voice_through_a_dictionary_its_model_reads(
    owner_client, owner, fake, settings
):
    from voices.tests.test_elevenlabs import pcm_bytes, tone, with_timestamps

    fake.answer("/v1/text-to-speech/voice-1/with-timestamps", 200, with_timestamps(pcm_bytes(tone(0.5)), "Acme"))
    entry = Pronunciation.objects.create(
        workspace=workspace_of(owner), written="Acme", spoken="ˈækmi", kind=Pronunciation.Kind.PHONEMES
    )
    voice = VoiceFactory(workspace=workspace_of(owner), name="Eleven", engine="elevenlabs", engine_voice_id="voice-1")
    url = reverse("studio:pronunciation_hear", args=[entry.pk])
    response = owner_client.post(url, {"voice": voice.pk}, HTTP_HX_REQUEST="true")  # eleven_multilingual_v2
    assert "ElevenLabs cannot say phonemes with its configured model" in response.content.decode()
    assert not fake.requests
    settings.ELEVENLABS_MODEL_ID = "eleven_flash_v2"
    response = owner_client.post(url, {"voice": voice.pk}, HTTP_HX_REQUEST="true")
    assert "data:audio/wav;base64," in response.content.decode()
    created, spoken = fake.requests
    assert created.json()["rules"][0] == {
        "type": "phoneme", "string_to_replace": "Acme", "case_sensitive": False, "word_boundaries": True,
        "phoneme": "ˈækmi", "alphabet": "ipa",
    }  # fmt: skip
    assert spoken.json()["text"] == "Acme"
    assert spoken.json()["pronunciation_dictionary_locators"] == [
        {"pronunciation_dictionary_id": "dict1", "version_id": "dict1-v1"}
    ]
