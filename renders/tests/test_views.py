import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from renders.models import RenderJob, RenderOutput
from tests.factories import RenderJobFactory, workspace_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(owner):
    job = RenderJobFactory(workspace=workspace_of(owner), title="Mine")
    output = RenderOutput(job=job, kind=RenderOutput.Kind.SRT, size=3)
    output.file.save("captions.srt", ContentFile(b"1\n"), save=True)
    return job


def test_a_running_job_page_opens_the_live_socket(owner_client, job):
    page = owner_client.get(reverse("renders:job", args=[job.public_id])).content.decode()
    assert f'ws-connect="/ws/jobs/{job.public_id}/"' in page and "<progress" in page


def test_members_download_outputs(owner_client, job):
    response = owner_client.get(reverse("renders:job_file", args=[job.public_id, "srt"]) + "?download=1")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"1\n"
    assert "attachment" in response["Content-Disposition"]


def test_a_missing_output_is_404(owner_client, job):
    assert owner_client.get(reverse("renders:job_file", args=[job.public_id, "mp4"])).status_code == 404


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [("renders:job", [], "get"), ("renders:job_file", ["srt"], "get"), ("renders:job_cancel", [], "post")],
)
def test_other_workspaces_get_404_everywhere(outsider_client, job, name, args, method):
    response = getattr(outsider_client, method)(reverse(name, args=[job.public_id, *args]))
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == RenderJob.Status.QUEUED


def test_anonymous_visitors_are_sent_to_log_in(client, job):
    response = client.get(reverse("renders:job_file", args=[job.public_id, "srt"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_cancelling_a_queued_job(owner_client, job):
    response = owner_client.post(reverse("renders:job_cancel", args=[job.public_id]), follow=True)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.CANCELLED and "Render cancelled." in response.content.decode()
    again = owner_client.post(reverse("renders:job_cancel", args=[job.public_id]), follow=True)
    assert "already cancelled" in again.content.decode()


def test_an_output_gone_from_storage_is_404_not_500(owner_client, job):
    output = job.outputs.get()
    output.file.storage.delete(output.file.name)
    response = owner_client.get(reverse("renders:job_file", args=[job.public_id, "srt"]))
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "args"), [("renders:job_retry", []), ("renders:job_regenerate", [0])])
def test_other_workspaces_cannot_retry_or_regenerate(outsider_client, job, name, args):
    RenderJob.objects.filter(pk=job.pk).update(status=RenderJob.Status.FAILED)  # a job both actions accept
    response = outsider_client.post(reverse(name, args=[job.public_id, *args]))
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED and RenderJob.objects.count() == 1


@pytest.mark.parametrize(("score", "shown"), [(0.25, "25 % of words misheard"), (2.5, "hardly any words heard right")])
def test_a_flagged_blocks_score_never_reads_over_100_percent(owner_client, job, score, shown):
    job.status = RenderJob.Status.SUCCEEDED
    job.report = {"blocks": [{"index": 0, "speaker": "Host", "duration": 1.0, "score": score, "tries": 3,
                              "passed": False, "verified": True, "units": []}]}  # fmt: skip
    job.save()
    page = owner_client.get(reverse("renders:job", args=[job.public_id])).content.decode()
    assert shown in page and "250 %" not in page


def test_a_flagged_block_names_the_must_hear_words_heard_wrong(owner_client, job):
    job.status = RenderJob.Status.SUCCEEDED
    unit = {"text": "Welcome to Acme, Maria.", "score": 0.0, "tries": 3, "transcript": "Welcome to acne, Maria.",
            "passed": False, "cached": False, "missed": [["Acme", "acne"], ["Maria", ""]], "takes": []}  # fmt: skip
    job.report = {"blocks": [{"index": 0, "speaker": "Host", "duration": 1.0, "score": 0.0, "tries": 3,
                              "passed": False, "verified": True, "units": [unit]}]}  # fmt: skip
    job.save()
    page = owner_client.get(reverse("renders:job", args=[job.public_id])).content.decode()
    assert "heard “acne” for “Acme”" in page and "“Maria” not heard" in page
    assert "% of words misheard" not in page  # the rate was within its budget: the name is what failed
