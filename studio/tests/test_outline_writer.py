"""The keyless writer in the Studio: an outline fills the editor (nothing saved), and a script with [[parts]]
left is refused for rendering with a message naming the first one."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from renders.models import RenderJob
from scripts.models import Script

pytestmark = pytest.mark.django_db
NEW = reverse("studio:script_new")


def draft(client, **answers):
    data = {"draft": "", "topic": "Cold brew at home", "platform": "shorts", "seconds": "30", "tone": "playful",
            "speakers": "Ana, Ben", **answers}  # fmt: skip
    return client.post(NEW, data)


def test_an_outline_fills_the_editor_without_saving_anything(owner_client):
    response = draft(owner_client)
    assert response.status_code == 200
    body = response.context["form"].initial["body"]
    assert body.splitlines()[1].startswith("Ana: [[Hook, about") and "Ben: [[Point 1" in body
    assert response.context["form"].initial["title"] == "Cold brew at home"
    assert "write your own words in place of each" in response.content.decode()
    assert not Script.objects.exists()


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"topic": ""}, "This field is required."),
        ({"seconds": "0"}, "Ensure this value is greater than or equal to 5."),
        ({"seconds": "10800"}, "Ensure this value is less than or equal to 1800."),
        ({"speakers": "A, B, C, D, E"}, "An outline has at most four speakers."),
        ({"platform": "myspace"}, "Select a valid choice."),
    ],
)
def test_bad_answers_are_form_errors(owner_client, answers, error):
    response = draft(owner_client, **answers)
    assert response.status_code == 200 and error in response.content.decode()
    assert not Script.objects.exists()


def test_a_script_with_parts_left_to_write_is_not_rendered(owner_client):
    body = draft(owner_client).context["form"].initial["body"]
    response = owner_client.post(
        NEW, {"title": "Cold brew", "body": body, "render": "", "kind": "audio", "aspect": "9:16"}
    )
    script = Script.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("studio:script", args=[script.pk])
    message = [str(m) for m in get_messages(response.wsgi_request)][-1]
    assert message.startswith(
        "This script cannot be rendered: write the outline's 5 [[…]] part(s) first, starting with “Hook, about"
    )
    assert not RenderJob.objects.exists()


def test_without_a_key_an_outline_is_filled_timed_given_voices_and_rendered(
    owner_client, settings, django_capture_on_commit_callbacks
):
    """Issue 15's "Done means" without any key: draft an outline, fill it, see its duration, pick voices, render."""
    settings.RENDER_VERIFY = False  # the narration is not heard back: this is about the writer's way to a render
    outline = draft(owner_client, seconds="10").context["form"].initial["body"]
    filled = re.sub(r"\[\[[^\]]*\]\]", "Cold brew never meets heat, so it tastes sweeter", outline)
    assert "[[" not in filled

    estimate = owner_client.post(reverse("studio:script_estimate"), {"body": filled}).content.decode()
    assert re.search(r"about \d+ s", estimate) and '<label for="id_speaker_voice_1">Ben</label>' in estimate

    answers = {"title": "Cold brew", "body": filled, "language": "en", "voice__Ana": "builtin:joe-calm",
               "voice__Ben": "builtin:joe-bright", "render": "", "kind": "audio", "aspect": "9:16"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(NEW, answers)
    script = Script.objects.get()
    job = RenderJob.objects.get(script=script)
    assert response.status_code == 302 and script.voices == {"Ana": "builtin:joe-calm", "Ben": "builtin:joe-bright"}
    assert job.render_options.voices["Ben"]["voice_id"] == "joe-bright"
    job.refresh_from_db()
    assert job.status == RenderJob.Status.SUCCEEDED, job.error
