"""The storyboard editor: prepare, edit scenes, render the video from the edit (real narration and ffmpeg)."""

import itertools
import subprocess
from decimal import Decimal

import av
import numpy as np
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.models import UsageEntry
from billing.quota import adjust
from billing.selectors import usage_summary
from mediakit.ffmpeg import FFMPEG
from renders import storyboards
from renders.models import RenderJob, RenderOutput
from scripts.models import Script

pytestmark = [pytest.mark.django_db, pytest.mark.storage]  # stored files: .ci/run runs these on a bucket too
SCRIPT = "Host: Welcome to the storyboard test, friends.\nGuest: Thanks, it is great to be here today."


@pytest.fixture
def prepared(owner_client, owner, settings, django_capture_on_commit_callbacks) -> RenderJob:
    """A succeeded "Prepare storyboard" job for a two-block script (the task queue runs in-line in tests)."""
    settings.RENDER_VIDEO_HEIGHT = 240
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            reverse("studio:script_new"),
            {"title": "Story", "body": SCRIPT, "kind": "video", "aspect": "1:1", "prepare": "1"},
        )
    job = RenderJob.objects.get()
    assert job.kind == RenderJob.Kind.AUDIO and job.status == RenderJob.Status.SUCCEEDED, job.error
    return job


def scene_post(number: int, **fields) -> dict:
    values = {"kind": "color", "color": "#1e293b", "color2": "#7c3aed", "title": "", **fields}
    return {f"s{number}-{name}": value for name, value in values.items() if value is not None}


def save(client, job, number, htmx=False, **fields):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("renders:scene_save", args=[job.public_id, number]), scene_post(number, **fields), headers=headers
    )


def picture(tmp_path, colour: str, size: str = "400x400", name: str = "bg.png") -> SimpleUploadedFile:
    path = tmp_path / name
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c={colour}:s={size}", "-frames:v", "1", str(path)],
        check=True,
    )
    return SimpleUploadedFile(name, path.read_bytes())


def delete_tree(folder: str) -> None:
    """Every stored file under `folder`, in a local folder or a bucket alike."""
    folders, files = default_storage.listdir(folder)
    for name in files:
        default_storage.delete(f"{folder}/{name}")
    for inner in folders:
        delete_tree(f"{folder}/{inner}")


def frame_at(path, seconds: float) -> np.ndarray:
    with av.open(str(path)) as container:
        image = None
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time > seconds + 1e-6 and image is not None:
                break
            image = frame.to_ndarray(format="rgb24")
        return image


def test_the_prepared_job_page_shows_one_editable_row_per_scene(owner_client, prepared):
    page = owner_client.get(reverse("renders:job", args=[prepared.public_id])).content.decode()
    scenes = prepared.report["scenes"]
    assert scenes >= 2 and page.count('class="scene stack"') == scenes
    assert 'hx-post="/jobs/' in page and "Welcome to the storyboard test" in page and 'id="render-video"' in page


def test_saving_a_scene_with_htmx_returns_the_row_and_stores_the_edit(owner_client, prepared):
    response = save(owner_client, prepared, 1, htmx=True, color="#FF0000", title="Hello", zoom="on")
    assert (
        response.status_code == 200
        and 'id="scene-1"' in response.content.decode()
        and "saved" in response.content.decode()
    )
    prepared.refresh_from_db()
    scene = prepared.edited_storyboard["scenes"][0]
    assert scene["background"] == {"kind": "color", "colors": ["#FF0000"], "path": None}
    assert scene["title"] == "Hello" and scene["zoom"] is True


def test_a_scene_can_take_another_moving_look(owner_client, prepared):
    response = save(owner_client, prepared, 1, kind="motion", color="#000000", color2="#FFFFFF", look="rings")
    assert response.status_code == 302
    prepared.refresh_from_db()
    background = prepared.edited_storyboard["scenes"][0]["background"]
    assert background == {"kind": "motion", "colors": ["#000000", "#FFFFFF"], "path": None, "look": "rings"}


def test_a_plain_form_post_saves_and_returns_to_the_job_page(owner_client, prepared):
    response = save(owner_client, prepared, 2, kind="gradient", color="#000000", color2="#FFFFFF")
    assert response.status_code == 302 and response["Location"] == reverse("renders:job", args=[prepared.public_id])
    prepared.refresh_from_db()
    assert prepared.edited_storyboard["scenes"][1]["background"]["colors"] == ["#000000", "#FFFFFF"]


def test_a_bad_colour_is_refused_next_to_its_field(owner_client, prepared):
    response = save(owner_client, prepared, 1, color="red")
    assert response.status_code == 400
    assert "&#x27;red&#x27; is not a #RRGGBB colour" in response.content.decode()
    prepared.refresh_from_db()
    assert prepared.edited_storyboard is None


def test_a_picture_background_needs_a_file(owner_client, prepared):
    response = save(owner_client, prepared, 1, htmx=True, kind="image")
    assert "Upload a picture for this scene&#x27;s background." in response.content.decode()
    prepared.refresh_from_db()
    assert prepared.edited_storyboard is None


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda tmp: SimpleUploadedFile("bg.png", b"not a picture at all"), "not a picture we can read"),
        (lambda tmp: picture(tmp, "blue", "200x100"), "the short side needs at least 320 pixels"),
    ],
    ids=["text", "too-small"],
)
def test_bad_background_pictures_are_refused(owner_client, prepared, tmp_path, upload, message):
    response = save(owner_client, prepared, 1, htmx=True, kind="image", file=upload(tmp_path))
    assert message in response.content.decode()
    prepared.refresh_from_db()
    assert prepared.edited_storyboard is None


def test_other_workspaces_get_404(outsider_client, prepared):
    assert save(outsider_client, prepared, 1, color="#FF0000").status_code == 404
    render = outsider_client.post(reverse("renders:storyboard_render", args=[prepared.public_id]))
    assert render.status_code == 404 and RenderJob.objects.count() == 1


def test_a_scene_that_does_not_exist_is_404(owner_client, prepared):
    assert save(owner_client, prepared, 99).status_code == 404


def test_storyboard_edits_change_the_rendered_video(
    owner_client, prepared, tmp_path, django_capture_on_commit_callbacks
):
    save(owner_client, prepared, 1, color="#FF0000")
    save(owner_client, prepared, 2, kind="image", file=picture(tmp_path, "0x00FF00"))
    prepared.refresh_from_db()
    image_name = prepared.edited_storyboard["scenes"][1]["background"]["path"]
    assert image_name.startswith(f"workspaces/{prepared.workspace_id}/media/")

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("renders:storyboard_render", args=[prepared.public_id]))
    video_job = RenderJob.objects.get(kind=RenderJob.Kind.VIDEO)
    assert response["Location"] == reverse("renders:job", args=[video_job.public_id])
    assert video_job.status == RenderJob.Status.SUCCEEDED, video_job.error
    assert video_job.options["voices"] == prepared.options["voices"]
    assert video_job.report["duration"] == prepared.report["duration"]  # the same narration, from the cache

    mp4 = tmp_path / "video.mp4"  # through the storage: a folder's or a bucket's
    mp4.write_bytes(video_job.outputs.get(kind=RenderOutput.Kind.MP4).file.read())
    first, second = prepared.edited_storyboard["scenes"][:2]
    red = frame_at(mp4, (first["start"] + first["end"]) / 2)
    green = frame_at(mp4, (second["start"] + second["end"]) / 2)
    # The top quarter: away from the burned-in captions at the bottom.
    top_red, top_green = (
        red[: red.shape[0] // 4].reshape(-1, 3).mean(0),
        green[: green.shape[0] // 4].reshape(-1, 3).mean(0),
    )
    assert top_red[0] > 200 and top_red[1] < 40 and top_red[2] < 40
    assert top_green[1] > 200 and top_green[0] < 40 and top_green[2] < 40
    # The delivered storyboard names the stored picture, never the worker's local copy.
    delivered = video_job.outputs.get(kind=RenderOutput.Kind.STORYBOARD).file.read().decode()
    assert image_name in delivered and str(settings.RENDER_WORK_DIR) not in delivered


def test_the_script_page_offers_to_prepare_a_storyboard(owner_client, owner):
    script = Script.objects.create(workspace=owner.memberships.get().workspace, title="T", body="Host: Hi.")
    assert 'name="prepare"' in owner_client.get(reverse("studio:script", args=[script.pk])).content.decode()


def test_rendering_the_video_without_video_renders_left_says_so_instead_of_failing(owner_client, prepared):
    adjust(prepared.workspace, narration_seconds=Decimal(0), video_renders=3, note="used up", staff=None)  # Free: 3
    response = owner_client.post(reverse("renders:storyboard_render", args=[prepared.public_id]), follow=True)
    assert response.redirect_chain == [(reverse("renders:job", args=[prepared.public_id]), 302)]
    page = response.content.decode()
    assert "no video renders left this period" in page and 'href="/studio/billing/"' in page
    assert not RenderJob.objects.filter(kind=RenderJob.Kind.VIDEO).exists()


def render_video_of(client, job, capture) -> RenderJob:
    with capture(execute=True):
        client.post(reverse("renders:storyboard_render", args=[job.public_id]))
    return RenderJob.objects.get(kind=RenderJob.Kind.VIDEO)


def test_the_video_charges_a_render_but_not_the_narration_the_prepare_job_paid_for(
    owner_client, prepared, django_capture_on_commit_callbacks
):
    assert prepared.usage.narration_seconds > 0
    video = render_video_of(owner_client, prepared, django_capture_on_commit_callbacks)
    assert video.status == RenderJob.Status.SUCCEEDED, video.error
    assert video.reservation.narration_seconds == 0 and video.reservation.video_renders == 1
    assert video.usage.narration_seconds == 0 and video.usage.video_renders == 1
    assert usage_summary(prepared.workspace)["narration_seconds"]["used"] == float(prepared.usage.narration_seconds)


def test_a_video_whose_narration_is_no_longer_cached_pays_for_it_or_fails_costing_nothing(
    owner_client, prepared, settings, django_capture_on_commit_callbacks
):
    delete_tree(f"workspaces/{prepared.workspace_id}/speech-cache")
    video = render_video_of(owner_client, prepared, django_capture_on_commit_callbacks)
    # Synthesised again, the narration may drift from the storyboard's timing (Piper varies run to run).
    if video.status == RenderJob.Status.FAILED:
        assert "prepare the storyboard again" in video.error
        assert video.reservation.status == "released" and not UsageEntry.objects.filter(job=video).exists()
    else:
        assert video.status == RenderJob.Status.SUCCEEDED, video.error
        assert float(video.usage.narration_seconds) == pytest.approx(video.report["duration"], abs=0.01)
        assert video.usage.video_renders == 1


def test_two_scenes_saved_from_stale_pages_both_keep_their_edit(prepared):
    # Two requests load the job before either saves (as two browser tabs or two teammates would).
    first, second = RenderJob.objects.get(pk=prepared.pk), RenderJob.objects.get(pk=prepared.pk)
    storyboards.save_scene(first, 1, storyboards.SceneEdit("color", ["#FF0000"], "One", zoom=False))
    storyboards.save_scene(second, 2, storyboards.SceneEdit("color", ["#00FF00"], "Two", zoom=True))
    prepared.refresh_from_db()
    one, two = prepared.edited_storyboard["scenes"][:2]
    assert (one["title"], one["background"]["colors"]) == ("One", ["#FF0000"])
    assert (two["title"], two["background"]["colors"], two["zoom"]) == ("Two", ["#00FF00"], True)


# --- scene timing (split and merge at word boundaries) and the captions' layout ---------------------------


def scenes_of(job: RenderJob) -> list[dict]:
    job.refresh_from_db()
    return (job.edited_storyboard or {}).get("scenes", [])


def test_a_scene_is_split_where_the_chosen_word_starts(owner_client, prepared):
    (row, *_) = storyboards.scene_rows(prepared, storyboards.storyboard_of(prepared))
    word, start = row.words[3]  # "storyboard": "Welcome to the storyboard test, friends."
    page = owner_client.get(reverse("renders:job", args=[prepared.public_id])).content.decode()
    assert f'<option value="{start}">{word}</option>' in page and 'id="merge-1"' in page
    response = owner_client.post(reverse("renders:scene_split", args=[prepared.public_id, 1]), {"at": str(start)})
    assert response.status_code == 302
    first, second, *_ = scenes_of(prepared)
    assert first["end"] == second["start"] == round(start, 3) and first["start"] == 0
    assert "welcome" in first["keywords"] and "storyboard" in second["keywords"]
    assert second["background"] == first["background"] and second["title"] is None
    page = owner_client.get(reverse("renders:job", args=[prepared.public_id])).content.decode()
    assert page.count('class="scene stack"') == prepared.report["scenes"] + 1


@pytest.mark.parametrize("at", ["0", "0.0001", "not a time", "99"])
def test_a_split_inside_a_word_or_outside_the_scene_is_refused(owner_client, prepared, at):
    response = owner_client.post(reverse("renders:scene_split", args=[prepared.public_id, 1]), {"at": at}, follow=True)
    assert "split where one of its words starts" in response.content.decode()
    assert prepared.edited_storyboard is None and scenes_of(prepared) == []


def test_two_scenes_are_merged_with_the_first_ones_look(owner_client, prepared):
    save(owner_client, prepared, 1, color="#FF0000")
    count = prepared.report["scenes"]
    response = owner_client.post(reverse("renders:scene_merge", args=[prepared.public_id, 1]))
    assert response.status_code == 302
    scenes = scenes_of(prepared)
    assert len(scenes) == count - 1 and scenes[0]["background"]["colors"] == ["#FF0000"]
    assert scenes[0]["start"] == 0 and (len(scenes) == 1 or scenes[0]["end"] == scenes[1]["start"])
    assert "welcome" in scenes[0]["keywords"] or "storyboard" in scenes[0]["keywords"]


def test_the_last_scene_has_nothing_to_merge_with(owner_client, prepared):
    count = prepared.report["scenes"]
    page = owner_client.get(reverse("renders:job", args=[prepared.public_id])).content.decode()
    assert f'id="merge-{count}"' not in page
    response = owner_client.post(reverse("renders:scene_merge", args=[prepared.public_id, count]), follow=True)
    assert "has no next scene to merge with" in response.content.decode()


def test_a_scene_keeps_its_captions_layout(owner_client, prepared):
    save(owner_client, prepared, 1, layout="captions-center")
    assert scenes_of(prepared)[0]["layout"] == "captions-center"


def test_other_workspaces_cannot_split_or_merge(outsider_client, prepared):
    for name in ("renders:scene_split", "renders:scene_merge"):
        assert outsider_client.post(reverse(name, args=[prepared.public_id, 1]), {"at": "1"}).status_code == 404


# --- a scene's words, said again through the block's regeneration ------------------------------------------


def test_a_scene_shows_its_words_as_its_block_writes_them(owner_client, prepared):
    (row, *_) = storyboards.scene_rows(prepared, storyboards.storyboard_of(prepared))
    assert row.text.block == 0 and not row.text.whole_block
    assert row.text.text in "Welcome to the storyboard test, friends." and row.text.text.startswith("Welcome")
    page = owner_client.get(reverse("renders:job", args=[prepared.public_id])).content.decode()
    assert 'id="words-1"' in page and f">{row.text.text}</textarea>" in page


def test_new_words_for_a_scene_say_its_block_again_and_reuse_the_others(
    owner_client, prepared, django_capture_on_commit_callbacks
):
    (row, *_) = storyboards.scene_rows(prepared, storyboards.storyboard_of(prepared))
    url = reverse("renders:scene_words", args=[prepared.public_id, 1])
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url, {"words": "Hello  there, lovely people."}, follow=True)
    again = RenderJob.objects.exclude(pk=prepared.pk).get()
    assert response.redirect_chain == [(reverse("renders:job", args=[again.public_id]), 302)]
    assert "Saying block 1 again with scene 1&#x27;s new words" in response.content.decode()
    assert again.status == RenderJob.Status.SUCCEEDED, again.error
    assert again.options["regenerate_blocks"] == [0] and again.render_options.prepare_storyboard
    expected = "Welcome to the storyboard test, friends.".replace(row.text.text, "Hello there, lovely people.")
    assert again.blocks[0]["text"] == expected and again.blocks[1] == prepared.blocks[1]
    said = " ".join(text for text, _ in storyboards.spoken_words(again))
    assert "Hello there, lovely people." in said and "Thanks, it is great to be here today." in said
    cached = {block["index"]: block["units"][0]["cached"] for block in again.report["blocks"]}
    assert cached == {0: False, 1: True}  # only the edited block is narrated again
    assert storyboards.storyboard_of(again) is not None  # a new storyboard to edit, from the new narration
    prepared.refresh_from_db()
    assert prepared.blocks[0]["text"] == "Welcome to the storyboard test, friends."
    assert "The script says the new words too." in response.content.decode()
    assert Script.objects.get().body == SCRIPT.replace(row.text.text, "Hello there, lovely people.")


def test_a_script_changed_since_the_render_keeps_its_words(owner_client, prepared):
    Script.objects.filter(pk=prepared.script_id).update(body=SCRIPT.replace("friends", "pals"))
    url = reverse("renders:scene_words", args=[prepared.public_id, 1])
    response = owner_client.post(url, {"words": "Hello there."}, follow=True).content.decode()
    assert "The script itself is not changed (it changed since this render" in response
    assert Script.objects.get().body == SCRIPT.replace("friends", "pals")
    assert RenderJob.objects.exclude(pk=prepared.pk).get().blocks[0]["text"].startswith("Hello there.")


@pytest.mark.parametrize(
    ("words", "message"),
    [("   ", "write the words it should say"), ("🎉", "has no words or numbers to say")],
    ids=["empty", "emoji"],
)
def test_words_that_cannot_be_said_are_refused_creating_nothing(owner_client, prepared, words, message):
    (row, *_) = storyboards.scene_rows(prepared, storyboards.storyboard_of(prepared))
    if row.text.first or row.text.end < len(prepared.blocks[0]["text"].split()):
        pytest.skip("scene 1 is part of its block: the rest of the block still has words")
    url = reverse("renders:scene_words", args=[prepared.public_id, 1])
    response = owner_client.post(url, {"words": words}, follow=True)
    assert message in response.content.decode() and RenderJob.objects.count() == 1


def test_unchanged_words_or_a_scene_over_two_blocks_are_refused(owner_client, prepared):
    (row, *_) = storyboards.scene_rows(prepared, storyboards.storyboard_of(prepared))
    url = reverse("renders:scene_words", args=[prepared.public_id, 1])
    assert "the words are unchanged" in owner_client.post(url, {"words": row.text.text}, follow=True).content.decode()
    while len(storyboards.storyboard_of(prepared).scenes) > 1:
        storyboards.merge(prepared, 1)
    (row,) = storyboards.scene_rows(prepared, storyboards.storyboard_of(prepared))
    assert row.text is None
    page = owner_client.get(reverse("renders:job", args=[prepared.public_id])).content.decode()
    assert "Its words belong to several blocks: split it where a block starts" in page and "<textarea" not in page
    response = owner_client.post(url, {"words": "Anything."}, follow=True).content.decode()
    assert "its words belong to several blocks" in response and RenderJob.objects.count() == 1


def test_other_workspaces_cannot_change_a_scenes_words(outsider_client, prepared):
    url = reverse("renders:scene_words", args=[prepared.public_id, 1])
    assert outsider_client.post(url, {"words": "Hi."}).status_code == 404 and RenderJob.objects.count() == 1


def test_a_scene_keeps_the_words_as_written_even_those_not_said(
    owner_client, settings, django_capture_on_commit_callbacks
):
    settings.RENDER_VIDEO_HEIGHT = 240
    body = "Host: Welcome 🎉 to the show.\nGuest: Thanks for having me."  # the emoji is shown, not said
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            reverse("studio:script_new"),
            {"title": "Emoji", "body": body, "kind": "video", "aspect": "1:1", "prepare": "1"},
        )
    job = RenderJob.objects.get()
    assert job.status == RenderJob.Status.SUCCEEDED, job.error
    (row, *_) = storyboards.scene_rows(job, storyboards.storyboard_of(job))
    assert not row.text.whole_block and row.text.text == "Welcome 🎉 to the show."
    owner_client.post(reverse("renders:scene_words", args=[job.public_id, 1]), {"words": "Welcome to our show."})
    assert RenderJob.objects.exclude(pk=job.pk).get().blocks[0]["text"] == "Welcome to our show."


def test_words_the_captions_cannot_match_token_by_token_offer_the_whole_block():
    job = RenderJob(blocks=[{"speaker": "Host", "text": "It costs $5 million today."}])
    said = [storyboards._Word(0, i, text, i * 0.4) for i, text in enumerate(["It", "costs", "$5 million", "today."])]
    text = storyboards._scene_text(job, said, said[2:])
    assert text == storyboards.SceneText(0, 0, 5, "It costs $5 million today.", whole_block=True)


def test_the_videos_cuts_land_on_the_storyboards_times_within_a_frame(
    owner_client, prepared, tmp_path, django_capture_on_commit_callbacks
):
    """Real narration (times that fall between frames), each scene its own colour: the first frame of each colour
    is within one frame of the scene's start, and frames come in order once re-muxed."""
    colours = ["#FF0000", "#00FF00", "#0000FF", "#FFFF00", "#FF00FF", "#00FFFF"]
    scenes = storyboards.storyboard_of(prepared).scenes
    assert 2 <= len(scenes) <= len(colours) and any(round(s.start * 30) != s.start * 30 for s in scenes[1:])
    for number in range(1, len(scenes) + 1):
        storyboards.save_scene(prepared, number, storyboards.SceneEdit("color", [colours[number - 1]], "", zoom=False))
    video = render_video_of(owner_client, prepared, django_capture_on_commit_callbacks)
    assert video.status == RenderJob.Status.SUCCEEDED, video.error
    mp4, remuxed = tmp_path / "video.mp4", tmp_path / "remuxed.mp4"
    mp4.write_bytes(video.outputs.get(kind=RenderOutput.Kind.MP4).file.read())
    remux = subprocess.run(
        [FFMPEG, "-hide_banner", "-nostdin", "-i", str(mp4), "-c", "copy", "-f", "mp4", "-y", str(remuxed)],
        capture_output=True,
        text=True,
    )
    assert remux.returncode == 0 and "non monotonic" not in remux.stderr.lower(), remux.stderr
    wanted = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours[: len(scenes)]])
    frames = []  # (pts, seconds, scene index by colour)
    with av.open(str(remuxed)) as container:
        for frame in container.decode(video=0):
            top = frame.to_ndarray(format="rgb24")[: frame.height // 4].reshape(-1, 3).mean(0)
            frames.append((frame.pts, frame.time, int(np.abs(wanted - top).sum(axis=1).argmin())))
    assert all(later[0] > earlier[0] for earlier, later in itertools.pairwise(frames))
    assert [index for _, _, index in frames] == sorted(index for _, _, index in frames)  # scenes in order
    for index, scene in enumerate(scenes[1:], start=1):
        first = next(time for _, time, seen in frames if seen == index)
        assert abs(first - scene.start) <= 1 / 30 + 1e-6, f"scene {index + 1} starts at {first}, not {scene.start}"
