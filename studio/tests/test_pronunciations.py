"""The Pronunciations page: list, add, edit, delete (writers only), "Hear it" with a chosen voice."""

import base64
import io
import wave

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from scripts.models import Campaign, Pronunciation
from tests.factories import VoiceFactory, make_member, workspace_of

pytestmark = pytest.mark.django_db
URL = reverse("studio:pronunciations")


@pytest.fixture
def entry(owner) -> Pronunciation:
    return Pronunciation.objects.create(workspace=workspace_of(owner), written="Acme", spoken="Ack-mee")


@pytest.fixture
def viewer_client(owner) -> Client:
    viewer = make_member("viewer@example.com")
    Membership.objects.create(workspace=workspace_of(owner), user=viewer, role=Membership.Role.VIEWER)
    client = Client()
    client.force_login(viewer)
    session = client.session
    session["workspace_id"] = workspace_of(owner).pk
    session.save()
    return client


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


@pytest.mark.parametrize(
    ("data", "message"),
    [
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


def test_hear_it_refuses_a_voice_that_is_not_offered(owner_client, outsider, entry):
    theirs = VoiceFactory(workspace=workspace_of(outsider), name="Theirs")
    url = reverse("studio:pronunciation_hear", args=[entry.pk])
    for choice in (theirs.pk, "builtin:nobody", ""):
        response = owner_client.post(url, {"voice": choice}, HTTP_HX_REQUEST="true")
        assert response.status_code == 400 and "Choose one of the voices." in response.content.decode()
