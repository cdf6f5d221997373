"""Pronunciations a finished render suggests ("we heard 'acne' for 'Acme' three times"), and adding one with a
click: into the workspace's dictionary, and the blocks that say the word voiced again."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from mediakit.text.script import parse_text
from renders.models import RenderJob
from renders.options import RenderOptions
from renders.services import create_job, run_job
from renders.suggestions import pronunciation_suggestions
from scripts.models import Pronunciation
from tests.factories import MembershipFactory, RenderJobFactory, make_member, workspace_of
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db
VOICES = {"Host": {"engine": "piper", "voice_id": "joe", "settings": {}}}


def unit(missed_per_take: list[list[list[str]]]) -> dict:
    takes = [{"transcript": "…", "score": 0.1, "missed": missed} for missed in missed_per_take]
    return {"text": "…", "missed": missed_per_take[-1], "takes": takes}


def finished_job(workspace, blocks: list[list[dict]], pronunciations: dict | None = None) -> RenderJob:
    report = {"blocks": [{"index": index, "units": units} for index, units in enumerate(blocks)]}
    options = RenderOptions(voices=VOICES, pronunciations=pronunciations).to_json()
    texts = [{"speaker": "Host", "text": f"Block {index}.", "pause_after": 0.0} for index in range(len(blocks))]
    return RenderJobFactory(
        workspace=workspace, status=RenderJob.Status.SUCCEEDED, report=report, options=options, blocks=texts
    )


def test_words_still_missed_are_suggested_with_what_was_heard_most_and_how_often(owner):
    job = finished_job(
        workspace_of(owner),
        [
            [unit([[["Acme", "acne"]], [["Acme", "acne"]], [["Acme", "Acne"]]])],  # every take: still wrong
            [unit([[["Acme", "acne"], ["Zara", "Sara"]], [["Zara", "Sara"]]])],
            [unit([[["Quill", "quell"]], []])],  # the retry heard it: nothing to suggest
            [unit([[["66", "sixty"]], [["66", "sixty"]]])],  # numbers are not respelled
        ],
    )
    suggestions = pronunciation_suggestions(job)
    assert [(s.written, s.heard, s.times, s.blocks) for s in suggestions] == [
        ("Acme", "acne", 4, (0, 1)),
        ("Zara", "Sara", 2, (1,)),
    ]
    assert suggestions[0].sentence == "We heard “acne” for “Acme” 4 times."
    assert suggestions[1].sentence == "We heard “Sara” for “Zara” twice."


def test_a_word_the_dictionary_already_respelled_says_so(owner):
    job = finished_job(workspace_of(owner), [[unit([[["Acme", ""]]])]], pronunciations={"Acme": "Ack-mee"})
    (suggestion,) = pronunciation_suggestions(job)
    assert suggestion.respelled_as == "Ack-mee" and suggestion.sentence == "We did not hear “Acme” once."


def test_writers_see_the_suggestions_and_viewers_do_not(owner):
    workspace = workspace_of(owner)
    job = finished_job(workspace, [[unit([[["Acme", "acne"]]])]])
    page = client_working_in(owner, workspace).get(reverse("renders:job", args=[job.public_id])).content.decode()
    assert "We heard “acne” for “Acme” once." in page and reverse("renders:job_pronounce", args=[job.public_id]) in page
    viewer = make_member("viewer@example.com")
    MembershipFactory(workspace=workspace, user=viewer, role=Membership.Role.VIEWER)
    page = client_working_in(viewer, workspace).get(reverse("renders:job", args=[job.public_id])).content.decode()
    assert "for “Acme”" in page and "Add and regenerate" not in page  # they see the block's note, not the form
    response = client_working_in(viewer, workspace).post(
        reverse("renders:job_pronounce", args=[job.public_id]), {"written": "Acme", "spoken": "Ack-mee"}
    )
    assert response.status_code == 403 and not Pronunciation.objects.exists()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"written": "Acme", "spoken": "   "}, "How to say “Acme”: This cannot be empty."),
        ({"written": "Zebra", "spoken": "Zeb-ra"}, "This render has no pronunciation to suggest for “Zebra”."),
    ],
)
def test_a_bad_respelling_or_a_word_not_suggested_is_refused_and_nothing_changes(owner, form, message):
    workspace = workspace_of(owner)
    job = finished_job(workspace, [[unit([[["Acme", "acne"]]])]])
    response = client_working_in(owner, workspace).post(
        reverse("renders:job_pronounce", args=[job.public_id]), form, follow=True
    )
    assert message in response.content.decode()
    assert not Pronunciation.objects.exists() and RenderJob.objects.count() == 1


def test_adding_one_puts_it_in_the_dictionary_and_voices_its_blocks_again(owner, plans):
    """A real render with the real voice and recogniser: a made-up brand name inside a sentence must be heard,
    the recogniser cannot, so the job suggests it; one click adds the respelling and regenerates its block."""
    workspace = workspace_of(owner)
    blocks = parse_text("Host: The first block is plain.\nHost: Our new app is called Snorgwex today.")
    job = create_job(workspace=workspace, blocks=blocks, title="Brand", kind=RenderJob.Kind.AUDIO)
    run_job(job.pk)
    job.refresh_from_db()
    suggestion = next(s for s in pronunciation_suggestions(job) if s.written == "Snorgwex")
    assert suggestion.blocks == (1,) and suggestion.times >= 1

    client = client_working_in(owner, workspace)
    response = client.post(
        reverse("renders:job_pronounce", args=[job.public_id]), {"written": "Snorgwex", "spoken": "Snorg wex"}
    )
    again = RenderJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("renders:job", args=[again.public_id])
    entry = Pronunciation.objects.get(workspace=workspace)
    assert (entry.written, entry.spoken, entry.campaign) == ("Snorgwex", "Snorg wex", None)
    assert again.options["regenerate_blocks"] == [1]

    run_job(again.pk)
    again.refresh_from_db()
    cached = {block["index"]: block["units"][0]["cached"] for block in again.report["blocks"]}
    assert again.status == RenderJob.Status.SUCCEEDED and cached == {0: True, 1: False}
    # Said as respelled (the recogniser hears the respelling's words), captions keep the written word.
    assert "Snorgwex" in again.outputs.get(kind="srt").file.read().decode()


def test_the_api_lists_a_finished_jobs_suggestions(owner, api):
    job = finished_job(workspace_of(owner), [[unit([[["Acme", "acne"]], [["Acme", "acne"]]])]])
    body = api.get(f"/api/v1/jobs/{job.public_id}").json()
    assert body["pronunciation_suggestions"] == [
        {"written": "Acme", "heard": "acne", "times": 2, "blocks": [0], "respelled_as": ""}
    ]
