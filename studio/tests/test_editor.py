"""The script editor: keywords per block, the language picker, the speakers panel with its voice pickers and
▶ preview, and the "Similar scripts" panel."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from renders.models import RenderJob
from scripts.memory import remember
from scripts.models import Script
from tests.factories import MembershipFactory, ScriptFactory, UserFactory, VoiceFactory, published_video, workspace_of
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db
TWO_SPEAKERS = "Host: Sourdough bread needs a lively starter.\nGuest: And patience with the dough!"
ESTIMATE = reverse("studio:script_estimate")


def test_each_block_shows_the_keywords_its_scenes_will_use(owner_client):
    html = owner_client.post(ESTIMATE, {"body": TWO_SPEAKERS}).content.decode()
    assert '<td class="keywords">sourdough, starter, lively</td>' in html
    assert '<td class="keywords">patience, dough</td>' in html


def test_the_speakers_panel_follows_the_script_and_keeps_the_picks(owner_client):
    html = owner_client.post(ESTIMATE, {"body": TWO_SPEAKERS, "voice__Guest": "builtin:joe-calm"}).content.decode()
    assert 'id="speakers" hx-swap-oob="true"' in html
    assert '<label for="id_speaker_voice_0">Host</label>' in html and "id_speaker_voice_1" in html
    assert '<option value="builtin:joe-calm" selected>' in html


def test_the_editor_shows_the_saved_language_and_voices(owner_client, owner):
    voice = VoiceFactory(workspace=workspace_of(owner), name="Narrator")
    script = ScriptFactory(
        workspace=workspace_of(owner), body=TWO_SPEAKERS, language="de", voices={"Host": f"voice:{voice.pk}"}
    )
    html = owner_client.get(reverse("studio:script", args=[script.pk])).content.decode()
    assert '<option value="de" selected>German</option>' in html
    assert f'<option value="voice:{voice.pk}" selected>Narrator</option>' in html


def test_picked_voices_and_language_are_saved_and_rendered_with(owner_client, owner, fake):
    # French needs voices that speak it: ElevenLabs' (the built-in ones speak English only).
    voice = VoiceFactory(workspace=workspace_of(owner), name="Narrator", engine="elevenlabs", engine_voice_id="v1")
    VoiceFactory(workspace=workspace_of(owner), name="Guest", engine="elevenlabs", engine_voice_id="v2")
    data = {"title": "Bread", "body": TWO_SPEAKERS, "language": "fr", "voice__Host": f"voice:{voice.pk}"}
    response = owner_client.post(reverse("studio:script_new"), {**data, "save": "1"})
    script = Script.objects.get(title="Bread")
    assert response.status_code == 302 and script.voices == {"Host": f"voice:{voice.pk}"} and script.language == "fr"
    owner_client.post(reverse("studio:script_render", args=[script.pk]), {"kind": "audio", "aspect": "9:16"})
    options = RenderJob.objects.get().render_options
    assert options.voices["Host"]["voice_id"] == "v1" and options.language == "fr"


def test_a_voice_of_another_workspace_is_a_form_error(owner_client, outsider):
    theirs = VoiceFactory(workspace=workspace_of(outsider))
    data = {"title": "Bread", "body": TWO_SPEAKERS, "voice__Host": f"voice:{theirs.pk}", "save": "1"}
    response = owner_client.post(reverse("studio:script_new"), data)
    assert response.status_code == 200 and "Choose each speaker" in response.content.decode()
    assert not Script.objects.exists()


def test_a_script_with_a_language_set_elsewhere_keeps_it(owner_client, owner):
    script = ScriptFactory(workspace=workspace_of(owner), body=TWO_SPEAKERS, language="sv-SE")
    response = owner_client.post(
        reverse("studio:script", args=[script.pk]), {"title": "T", "body": TWO_SPEAKERS, "save": "1"}
    )
    script.refresh_from_db()
    assert response.status_code == 302 and script.language == "sv-SE"


def test_preview_says_the_speakers_first_line_with_the_picked_voice(owner_client):
    data = {"body": TWO_SPEAKERS, "preview": "Guest", "voice__Guest": "builtin:joe-calm"}
    response = owner_client.post(reverse("studio:speaker_preview"), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'src="data:audio/wav;base64,' in html and 'data-speaker="Guest"' in html


def test_preview_refuses_a_voice_that_cannot_speak_the_scripts_language(owner_client):
    data = {"body": "Host: こんにちは。", "preview": "Host", "language": "ja"}
    html = owner_client.post(reverse("studio:speaker_preview"), data).content.decode()
    assert "cannot speak Japanese" in html and "data:audio/wav" not in html


@pytest.mark.parametrize(
    "data",
    [{"body": TWO_SPEAKERS, "preview": "Nobody"}, {"body": "Host: Hi.\n[pause ever]", "preview": "Host"}, {}],
)
def test_preview_of_a_speaker_without_lines_is_a_message(owner_client, data):
    response = owner_client.post(reverse("studio:speaker_preview"), data)
    assert response.status_code == 200 and "no line in the script" in response.content.decode()


def test_viewers_cannot_preview(owner):
    viewer = UserFactory()
    MembershipFactory(user=viewer, workspace=workspace_of(owner), role=Membership.Role.VIEWER)
    response = client_working_in(viewer, workspace_of(owner)).post(
        reverse("studio:speaker_preview"), {"body": TWO_SPEAKERS, "preview": "Host"}
    )
    assert response.status_code == 403


def test_similar_scripts_are_shown_beside_the_editor(owner_client, owner, outsider):
    script = ScriptFactory(workspace=workspace_of(owner), title="Sourdough", body=TWO_SPEAKERS)
    close = ScriptFactory(workspace=workspace_of(owner), title="Baking bread", body="Host: Baking bread at home.")
    theirs = ScriptFactory(workspace=workspace_of(outsider), title="Their sourdough", body=TWO_SPEAKERS)
    for other in (close, theirs):
        remember(other.pk)
    page = owner_client.get(reverse("studio:script", args=[script.pk])).content.decode()
    assert reverse("studio:script_similar", args=[script.pk]) in page
    html = owner_client.get(reverse("studio:script_similar", args=[script.pk])).content.decode()
    assert "Baking bread" in html and "Their sourdough" not in html


def test_similar_scripts_whose_videos_did_best_come_first_with_their_numbers(owner_client, owner):
    script = ScriptFactory(workspace=workspace_of(owner), title="Sourdough", body=TWO_SPEAKERS)
    twin = ScriptFactory(workspace=workspace_of(owner), title="Sourdough twin", body=TWO_SPEAKERS)
    close = ScriptFactory(workspace=workspace_of(owner), title="Baking bread", body="Host: Baking bread at home.")
    for other in (twin, close):
        remember(other.pk)
    published_video(close, 1500, watch_minutes=250.4)

    html = owner_client.get(reverse("studio:script_similar", args=[script.pk])).content.decode()

    assert html.index("Baking bread") < html.index("Sourdough twin")
    assert "1500 views · 250 min watched" in html


def test_similar_scripts_of_another_workspace_are_not_found(owner_client, outsider):
    script = ScriptFactory(workspace=workspace_of(outsider))
    assert owner_client.get(reverse("studio:script_similar", args=[script.pk])).status_code == 404


def test_the_voice_a_render_would_give_is_previewed_never_another_workspaces(owner, outsider):
    from voices.services import speaker_voice

    narrator = VoiceFactory(workspace=workspace_of(owner), name="Host", engine_voice_id="joe-deep")
    theirs = VoiceFactory(workspace=workspace_of(outsider), engine_voice_id="joe-bright")
    speakers = ["Host", "Guest"]
    assert speaker_voice(workspace_of(owner).pk, speakers, {}, "Host").engine_voice_id == "joe-deep"  # by name
    picked = speaker_voice(workspace_of(owner).pk, speakers, {"Host": "builtin:joe-calm"}, "Host")
    assert picked.engine_voice_id == "joe-calm" and narrator.engine_voice_id == "joe-deep"
    guest = speaker_voice(workspace_of(owner).pk, speakers, {"Guest": f"voice:{theirs.pk}"}, "Guest")
    assert guest.engine_voice_id != "joe-bright" and guest.engine == "piper"
