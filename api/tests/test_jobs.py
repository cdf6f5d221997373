import threading
import uuid
from datetime import timedelta

import pytest
import redis
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from api.models import IdempotentRequest
from api.serializers import ScriptInputSerializer
from api.services import job_request, submit_job, submit_once
from api.signing import output_for_token
from billing.models import Reservation
from renders.models import RenderJob, RenderOutput
from scripts.models import Campaign, Script
from tests.factories import VoiceFactory, workspace_of

from .test_auth import error_of

pytestmark = [pytest.mark.django_db, pytest.mark.storage]  # stored files: .ci/run runs these on a bucket too

SCRIPT = {
    "title": "Hello",
    "blocks": [{"speaker": "Host", "text": "Hi there.", "pause_after": 0.2}, {"speaker": "Guest", "text": "Hello."}],
}


@pytest.fixture
def queue(monkeypatch):
    """Jobs are queued but not run: these tests are about the API, not the pipeline."""
    queued = []
    monkeypatch.setattr("lanes.async_task", lambda *args, **kwargs: queued.append(args))
    return queued


def finished_job(workspace, **fields) -> RenderJob:
    job = RenderJob.objects.create(
        workspace=workspace,
        title="Done",
        kind="audio",
        blocks=[],
        status=RenderJob.Status.SUCCEEDED,
        report={"duration": 1.5, "blocks": [{"index": 0, "speaker": "Host", "start": 0.0, "duration": 1.5}]},
        **fields,
    )
    output = RenderOutput(job=job, kind="wav", size=10)
    output.file.save("narration.wav", ContentFile(b"0123456789"), save=True)
    return job


def test_synthesize_json_blocks_answers_202_with_a_job(api, owner, queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/synthesize", SCRIPT, format="json")
    assert response.status_code == 202, response.json()
    body = response.json()
    job = RenderJob.objects.get(public_id=body["id"])
    assert job.kind == "audio" and job.workspace == workspace_of(owner) and body["status"] == "queued"
    assert [block["speaker"] for block in job.blocks] == ["Host", "Guest"] and len(queue) == 1


def test_synthesize_accepts_the_text_format(api, queue):
    response = api.post("/api/v1/synthesize", {"script": "Host: Hi.\n[pause 1s]\nGuest: Hello."}, format="json")
    assert response.status_code == 202
    assert RenderJob.objects.get().blocks[0]["pause_after"] == 1.0


def test_a_speaker_named_by_id_uses_that_voice(api, queue):
    speaker = api.post("/api/v1/speakers", {"name": "Narrator", "voice_id": "joe-calm"}, format="json").json()
    body = {"blocks": [{"speaker": str(speaker["id"]), "text": "Hi."}]}
    assert api.post("/api/v1/synthesize", body, format="json").status_code == 202
    job = RenderJob.objects.get()
    assert job.blocks[0]["speaker"] == "Narrator" and job.options["voices"]["Narrator"]["voice_id"] == "joe-calm"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"script": "Host: Hi.\n[pause forever]"}, "script", "line 2"),
        ({"script": "no speaker here"}, "script", "line 1"),
        ({"script": "Host: Hi.\nGuest: 🎉🎉!"}, "script", "line 2: Guest has no words or numbers to say"),
        ({"blocks": [{"speaker": "Host", "text": "Hi."}, {"speaker": "Guest", "text": "👍"}]}, "blocks", "block 2"),
        ({"blocks": [{"speaker": "Host", "text": "Hi."}, {"speaker": "Guest"}]}, "blocks", "required"),
        ({"blocks": [{"speaker": "Host", "text": "Hi.", "pause_after": 99}]}, "blocks", "10"),
        ({}, "script", "exactly one"),
        ({"script": "Host: Hi.", "blocks": SCRIPT["blocks"]}, "script", "exactly one"),
        ({"script": "Host: Hi.", "callback_url": "ftp://x.example/hook"}, "callback_url", ""),
        ({"script": "Host: Hi.", "caption_formats": ["doc"]}, "caption_formats", ""),
    ],
)
def test_script_errors_name_the_block_or_line(api, queue, body, field, words):
    response = api.post("/api/v1/synthesize", body, format="json")
    error = error_of(response)
    assert response.status_code == 400 and field in error["details"], error
    assert words in str(error["details"][field])
    assert not RenderJob.objects.exists()


def test_jobs_carry_the_scripts_language(api, owner, queue, fake):
    VoiceFactory(workspace=workspace_of(owner), name="Host", engine="elevenlabs", engine_voice_id="v1")
    saved = Script.objects.create(workspace=workspace_of(owner), title="T", body="Host: Hallo.", language="de")
    assert api.post("/api/v1/renders", {"script_id": saved.pk, "language": "en"}, format="json").status_code == 202
    inline = {"script": "Host: Salut.", "language": "fr"}
    assert api.post("/api/v1/synthesize", inline, format="json").status_code == 202
    assert [job.options["language"] for job in RenderJob.objects.order_by("pk")] == ["de", "fr"]


def test_a_voice_that_cannot_speak_the_language_is_refused_with_422(api, queue):
    response = api.post("/api/v1/renders", {"script": "Host: こんにちは。", "language": "ja"}, format="json")
    error = response.json()["error"]
    assert response.status_code == 422 and error["code"] == "voice_language", error
    assert "Host's voice “joe”" in error["message"] and "cannot speak Japanese" in error["message"]
    assert not RenderJob.objects.exists()


def test_scripts_with_any_numbers_are_accepted(api, queue):
    # The quota estimate normalises the script: "3.10-3.12" once made that a 500.
    script = "Host: Python 3.10-3.12 runs it, 2.50-3.00 kg, the 1980-90s, 9/11, $5-10 million, no. 3 days."
    response = api.post("/api/v1/synthesize", {"script": script}, format="json")
    assert response.status_code == 202, response.json()


def test_renders_take_video_options(api, queue):
    response = api.post("/api/v1/renders", {**SCRIPT, "aspect": "16:9", "height": 361}, format="json")
    assert response.status_code == 202
    job = RenderJob.objects.get()
    assert job.kind == "video" and job.options["aspect"] == "16:9" and job.options["height"] == 360
    assert "constant_frame_rate" not in job.options  # variable frame rate unless asked


def test_renders_can_ask_for_a_constant_frame_rate(api, queue):
    response = api.post("/api/v1/renders", {**SCRIPT, "constant_frame_rate": True}, format="json")
    assert response.status_code == 202
    assert RenderJob.objects.get().options["constant_frame_rate"] is True
    refused = api.post("/api/v1/renders", {**SCRIPT, "constant_frame_rate": "often"}, format="json")
    assert refused.status_code == 400 and "constant_frame_rate" in refused.json()["error"]["details"]


def test_renders_choose_a_caption_style_or_no_burned_captions(api, queue):
    body = {**SCRIPT, "caption_preset": "karaoke", "caption_platform": "shorts", "burn_captions": False}
    assert api.post("/api/v1/renders", body, format="json").status_code == 202
    options = RenderJob.objects.get().options
    assert options["caption_style"] == {"preset": "karaoke", "platform": "shorts"}
    assert options["burn_captions"] is False
    refused = api.post("/api/v1/renders", {**SCRIPT, "caption_preset": "wobbly"}, format="json")
    assert refused.status_code == 400 and "caption_preset" in refused.json()["error"]["details"]


def test_renders_can_ask_for_ai_video_and_an_avatar_intro(api, queue):
    body = {**SCRIPT, "ai_video": True, "avatar_intro": True}
    assert api.post("/api/v1/renders", body, format="json").status_code == 202
    options = RenderJob.objects.get().options
    assert options["ai_video"] is True and options["avatar_intro"] is True
    refused = api.post("/api/v1/renders", {**SCRIPT, "ai_video": "sometimes"}, format="json")
    assert refused.status_code == 400 and "ai_video" in refused.json()["error"]["details"]


def test_renders_of_a_campaign_script_use_its_defaults(api, owner, queue):
    workspace = workspace_of(owner)
    campaign = Campaign.objects.create(workspace=workspace, name="Shorts", aspect="1:1", primary_color="#112233")
    script = Script.objects.create(workspace=workspace, campaign=campaign, title="Ep 1", body="Host: Hi.")
    assert api.post("/api/v1/renders", {"script_id": script.pk}, format="json").status_code == 202
    job = RenderJob.objects.get()
    assert (job.title, job.script, job.options["aspect"]) == ("Ep 1", script, "1:1")
    assert job.options["brand"]["primary"] == "#112233"  # the campaign's brand kit, as in the Studio


def test_renders_refuse_other_workspaces_scripts_and_bad_aspects(api, outsider, queue):
    script = Script.objects.create(workspace=workspace_of(outsider), title="Theirs", body="Host: Hi.")
    assert "script_id" in error_of(api.post("/api/v1/renders", {"script_id": script.pk}, format="json"))["details"]
    response = api.post("/api/v1/renders", {"script": "Host: Hi.", "aspect": "4:3"}, format="json")
    assert "aspect" in error_of(response)["details"]


def test_job_detail_has_progress_blocks_and_signed_outputs(api, owner):
    job = finished_job(workspace_of(owner))
    body = api.get(f"/api/v1/jobs/{job.public_id}").json()
    assert body["status"] == "succeeded" and body["duration"] == 1.5 and body["blocks"][0]["speaker"] == "Host"
    (output,) = body["outputs"]
    assert output["kind"] == "wav" and output["url"].startswith("http://testserver/api/v1/files/")
    assert output_for_token(output["url"].rsplit("/", 1)[1]).job == job


def test_jobs_list_filters_and_paginates(api, owner, outsider):
    workspace = workspace_of(owner)
    for _ in range(3):
        finished_job(workspace)
    RenderJob.objects.create(workspace=workspace, title="Waiting", blocks=[], kind="video")
    finished_job(workspace_of(outsider))
    assert api.get("/api/v1/jobs").json()["count"] == 4
    page = api.get("/api/v1/jobs?status=succeeded&page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2
    assert [job["title"] for job in api.get("/api/v1/jobs?kind=video").json()["results"]] == ["Waiting"]
    assert "status" in error_of(api.get("/api/v1/jobs?status=bogus"))["details"]


def test_deleting_a_job_cancels_it_and_deletes_its_files(api, owner):
    job = finished_job(workspace_of(owner))
    name = job.outputs.get().file.name
    response = api.delete(f"/api/v1/jobs/{job.public_id}")
    assert response.status_code == 200 and response.json()["outputs"] == []
    assert not RenderOutput.objects.exists()
    assert not default_storage.exists(name)
    running = RenderJob.objects.create(workspace=workspace_of(owner), title="Go", blocks=[], status="running")
    assert api.delete(f"/api/v1/jobs/{running.public_id}").json()["status"] == "cancelled"


def test_other_workspaces_jobs_are_404(outsider_api, owner):
    job = finished_job(workspace_of(owner))
    assert outsider_api.get(f"/api/v1/jobs/{job.public_id}").status_code == 404
    assert outsider_api.delete(f"/api/v1/jobs/{job.public_id}").status_code == 404
    assert outsider_api.get(f"/api/v1/jobs/{uuid.uuid4()}").status_code == 404
    assert job.outputs.exists()


def test_campaigns_crud_is_scoped(api, outsider_api):
    created = api.post("/api/v1/campaigns", {"name": "Shorts", "aspect": "9:16"}, format="json")
    assert created.status_code == 201
    campaign = created.json()
    assert api.patch(f"/api/v1/campaigns/{campaign['id']}", {"aspect": "1:1"}, format="json").json()["aspect"] == "1:1"
    assert outsider_api.get(f"/api/v1/campaigns/{campaign['id']}").status_code == 404
    assert outsider_api.get("/api/v1/campaigns").json()["count"] == 0
    bad = api.post("/api/v1/campaigns", {"name": "X", "primary_color": "red"}, format="json")
    assert "primary_color" in error_of(bad)["details"]
    assert api.delete(f"/api/v1/campaigns/{campaign['id']}").status_code == 204


@pytest.mark.parametrize(
    ("path", "asked", "listed"),
    [
        ("/api/v1/synthesize", {}, {"wav", "mp3", "srt", "vtt", "json"}),
        ("/api/v1/synthesize", {"output_formats": ["mp3"], "caption_formats": ["vtt"]}, {"mp3", "vtt"}),
        ("/api/v1/renders", {}, {"wav", "mp3", "srt", "vtt", "json", "mp4", "thumbnail", "storyboard"}),
    ],
)
def test_a_job_lists_the_outputs_asked_for(api, owner, queue, path, asked, listed):
    body = api.post(path, {"script": "Host: Hi.", **asked}, format="json").json()
    job = RenderJob.objects.get(public_id=body["id"])
    for kind in RenderOutput.Kind.values:  # as if the worker had delivered every kind
        output = RenderOutput(job=job, kind=kind, size=1)
        output.file.save(f"out.{kind}", ContentFile(b"x"), save=True)
    shown = api.get(f"/api/v1/jobs/{job.public_id}").json()["outputs"]
    assert {output["kind"] for output in shown} == listed


def test_a_retry_with_the_same_idempotency_key_gets_the_same_job(api, queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post("/api/v1/synthesize", SCRIPT, format="json", HTTP_IDEMPOTENCY_KEY="try-1")
        again = api.post("/api/v1/synthesize", SCRIPT, format="json", HTTP_IDEMPOTENCY_KEY="try-1")
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert RenderJob.objects.count() == 1 and Reservation.objects.count() == 1 and len(queue) == 1
    # Without a key, or with another one, the same script is another job.
    assert api.post("/api/v1/synthesize", SCRIPT, format="json").json()["id"] != first.json()["id"]
    assert api.post("/api/v1/synthesize", SCRIPT, format="json", HTTP_IDEMPOTENCY_KEY="try-2").status_code == 202
    assert RenderJob.objects.count() == 3


def test_an_idempotency_key_reused_for_another_request_is_refused(api, queue):
    assert api.post("/api/v1/synthesize", SCRIPT, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 202
    other_script = {**SCRIPT, "title": "Other"}
    for path, body in [("/api/v1/synthesize", other_script), ("/api/v1/renders", SCRIPT)]:
        response = api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="k")
        assert response.status_code == 409 and error_of(response)["code"] == "idempotency_key_reused"
    too_long = api.post("/api/v1/synthesize", SCRIPT, format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)
    assert too_long.status_code == 400 and "Idempotency-Key" in error_of(too_long)["details"]
    assert RenderJob.objects.count() == 1


def test_idempotency_keys_belong_to_a_workspace_and_last_a_day(api, outsider_api, queue):
    mine = api.post("/api/v1/synthesize", SCRIPT, format="json", HTTP_IDEMPOTENCY_KEY="k").json()["id"]
    theirs = outsider_api.post("/api/v1/synthesize", SCRIPT, format="json", HTTP_IDEMPOTENCY_KEY="k").json()["id"]
    assert mine != theirs
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    later = api.post("/api/v1/synthesize", SCRIPT, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert later.status_code == 202 and later.json()["id"] not in (mine, theirs)


@pytest.mark.django_db(transaction=True)
def test_concurrent_twins_with_one_idempotency_key_make_one_job(owner, queue):
    workspace, results, errors = workspace_of(owner), [], []
    barrier = threading.Barrier(6)

    def twin() -> None:
        try:
            barrier.wait()
            request = job_request(workspace, parsed_script(), kind=RenderJob.Kind.AUDIO)
            submit = lambda: submit_job(request)  # noqa: E731
            results.append(submit_once(workspace, "same", {"script": "Host: Hi."}, submit))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=twin) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert (
        len({job.pk for job, _ in results}) == 1 and sorted(replayed for _, replayed in results) == [False] + [True] * 5
    )
    assert RenderJob.objects.count() == 1 and Reservation.objects.count() == 1


def parsed_script() -> dict:
    serializer = ScriptInputSerializer(data={"script": "Host: Hi."})
    assert serializer.is_valid(), serializer.errors
    return serializer.validated_data


def test_job_status_takes_a_fixed_number_of_queries(api, owner, django_assert_num_queries):
    job = finished_job(workspace_of(owner))
    api.get(f"/api/v1/jobs/{job.public_id}")  # the key is in the cache from here on
    # The job and its outputs (no callback URL: no webhook deliveries); the plan and the key creator's role are
    # cached as the key is.
    with django_assert_num_queries(2):
        assert api.get(f"/api/v1/jobs/{job.public_id}").status_code == 200


def test_job_status_takes_three_redis_round_trips(api, owner, monkeypatch):
    job = finished_job(workspace_of(owner))
    api.get(f"/api/v1/jobs/{job.public_id}")  # the key is in the cache from here on
    commands = []
    execute = redis.Redis.execute_command
    monkeypatch.setattr(
        redis.Redis,
        "execute_command",
        lambda client, *args, **kw: commands.append(args[0]) or execute(client, *args, **kw),
    )
    assert api.get(f"/api/v1/jobs/{job.public_id}").status_code == 200
    # The key; the plan and the creator's role; the throttle's window, read and written in one script.
    assert commands == ["GET", "MGET", "EVALSHA"]


def test_the_job_list_takes_the_same_queries_for_one_job_or_many(api, owner, django_assert_num_queries):
    workspace = workspace_of(owner)
    finished_job(workspace)
    api.get("/api/v1/jobs")
    # The count, the page of jobs, their outputs, their webhook deliveries: never one per job.
    with django_assert_num_queries(3):  # no callback URL: no deliveries read
        assert len(api.get("/api/v1/jobs").json()["results"]) == 1
    for _ in range(5):
        finished_job(workspace, options={"callback_url": "https://example.com/hook"})
    with django_assert_num_queries(4):
        assert len(api.get("/api/v1/jobs").json()["results"]) == 6


def test_a_campaigns_ai_video_defaults_apply_unless_the_request_says_otherwise(api, owner, queue):
    workspace = workspace_of(owner)
    campaign = api.post("/api/v1/campaigns", {"name": "AI", "ai_video": True, "avatar_intro": True}, format="json")
    assert campaign.status_code == 201 and campaign.json()["ai_video"] is campaign.json()["avatar_intro"] is True
    script = Script.objects.create(
        workspace=workspace, campaign_id=campaign.json()["id"], title="Ep 1", body="Host: Hi."
    )
    assert api.post("/api/v1/renders", {"script_id": script.pk}, format="json").status_code == 202
    inherited = RenderJob.objects.latest("pk").render_options
    assert inherited.ai_video is True and inherited.avatar_intro is True
    turned_off = {"script_id": script.pk, "ai_video": False}
    assert api.post("/api/v1/renders", turned_off, format="json").status_code == 202
    options = RenderJob.objects.latest("pk").render_options
    assert options.ai_video is False and options.avatar_intro is True
