"""A series from upload to review: rows become scripts and real renders, in row order, within the plan's
concurrent jobs; bad rows are reported by number and the good ones go on."""

import pytest

from accounts.models import AuditEntry
from billing.models import UsageEntry
from publishing.models import SeriesRow
from publishing.services import SeriesRefused, create_series, render_again
from publishing.uploads import read_csv
from renders.models import RenderJob
from scripts.models import Script
from tests.factories import CampaignFactory, VoiceFactory, put_on_plan, seed_plans

pytestmark = pytest.mark.django_db
Status = SeriesRow.Status

FIVE_TOPICS = """topic,title,tags
Green tea,Why green tea,"tea, health"
Coffee,,coffee
"=HYPERLINK(""http://evil.example"",""free"")",Bad,
Rain,Rain facts,
Snow,,
"""


@pytest.fixture
def fast_renders(settings):
    settings.RENDER_VIDEO_HEIGHT = 240  # real Piper, real ffmpeg, small pictures
    settings.RENDER_VERIFY = False  # speech is not heard back: this is about the series, not the narration


@pytest.fixture
def campaign(workspace):
    seed_plans()
    put_on_plan(workspace, "creator")  # two renders at a time
    return CampaignFactory(workspace=workspace, name="Facts", aspect="16:9")


def start(workspace, campaign, owner, text: str):
    rows = read_csv(text.encode(), max_rows=50, max_script_chars=5000)
    return create_series(workspace=workspace, campaign=campaign, name="Facts", rows=rows, user=owner)


def test_a_csv_of_five_topics_with_a_bad_row_becomes_four_scripts_and_renders(
    owner, workspace, campaign, fast_renders, django_capture_on_commit_callbacks
):
    series = start(workspace, campaign, owner, FIVE_TOPICS)

    rows = {row.number: row for row in series.rows.all()}
    assert rows[4].status == Status.INVALID
    assert rows[4].error.startswith("topic: looks like a spreadsheet formula")
    assert rows[4].script is None
    # Without a writing model, each topic becomes an outline in the campaign, waiting for its [[parts]].
    good = [rows[number] for number in (2, 3, 5, 6)]
    assert [row.status for row in good] == [Status.NEEDS_SCRIPT] * 4
    assert [row.script.title for row in good] == ["Why green tea", "Coffee", "Rain facts", "Snow"]
    assert all(row.script.campaign == campaign and "[[Hook" in row.script.body for row in good)
    assert rows[2].tags == ["tea", "health"]
    assert not RenderJob.objects.exists()

    # The creator writes each outline and sends the row on: the renders run in row order.
    with django_capture_on_commit_callbacks(execute=True):
        for row in good:
            Script.objects.filter(pk=row.script_id).update(body=f"Host: A short word about {row.label}.")
            render_again(row)

    rows = list(series.rows.exclude(status=Status.INVALID).select_related("job"))
    assert [row.status for row in rows] == [Status.REVIEW] * 4
    jobs = [row.job for row in rows]
    assert all(job.status == RenderJob.Status.SUCCEEDED and job.kind == RenderJob.Kind.VIDEO for job in jobs)
    assert all(job.outputs.filter(kind="mp4").exists() for job in jobs)
    assert [job.pk for job in jobs] == sorted(job.pk for job in jobs)
    assert jobs[0].title == "Why green tea" and jobs[0].options["aspect"] == "16:9"
    assert Script.objects.filter(campaign=campaign).count() == 4
    assert AuditEntry.objects.filter(workspace=workspace, action="series.created").count() == 1


def test_rows_with_scripts_render_in_order_as_many_at_a_time_as_the_plan_runs(
    owner, workspace, campaign, fast_renders, django_capture_on_commit_callbacks
):
    text = "title,script\n" + "".join(f"Video {n},Host: Number {n}.\n" for n in range(1, 5))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        series = start(workspace, campaign, owner, text)
    # The Creator plan runs two renders at a time: rows 3 and 4 wait for a slot.
    assert list(series.rows.values_list("status", flat=True)) == [Status.RENDERING] * 2 + [Status.WAITING] * 2
    assert RenderJob.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:  # the two renders run; each end frees a slot for the next row
            callback()

    rows = list(series.rows.select_related("job"))
    assert [row.status for row in rows] == [Status.REVIEW] * 4
    assert [row.job.title for row in sorted(rows, key=lambda row: row.job.pk)] == [f"Video {n}" for n in range(1, 5)]


def test_a_campaign_that_approves_automatically_skips_the_review(
    owner, workspace, campaign, fast_renders, django_capture_on_commit_callbacks
):
    campaign.auto_approve = True
    campaign.save()
    with django_capture_on_commit_callbacks(execute=True):
        series = start(workspace, campaign, owner, "title,script\nOne,Host: Hello there.\n")
    row = series.rows.get()
    assert row.status == Status.APPROVED
    assert row.reviewed_by is None and "Approved automatically" in row.review_note


def test_voice_overrides_choose_library_voices_and_an_unknown_voice_is_the_rows_error(
    owner, workspace, campaign, django_capture_on_commit_callbacks
):
    VoiceFactory(workspace=workspace, name="Deep", settings={"speed": 0.9})
    text = 'script,voices\nHost: Hi.,Host=deep\nHost: Hi.,"Host=Nobody"\n'
    with django_capture_on_commit_callbacks(execute=False):
        series = start(workspace, campaign, owner, text)
    first, second = series.rows.all()
    assert first.job.render_options.voices["Host"]["settings"]["speed"] == 0.9
    assert second.status == Status.INVALID
    assert second.error == "voices: no voice named 'Nobody' in your library"


def test_an_upload_whose_every_row_is_bad_creates_nothing(owner, workspace, campaign):
    with pytest.raises(SeriesRefused, match="row 2: give a topic or a script"):
        start(workspace, campaign, owner, "topic,title\n,No topic\n")
    assert not SeriesRow.objects.exists() and not Script.objects.exists()


def test_a_render_refused_by_the_plan_fails_its_row_with_the_reason(
    owner, workspace, campaign, django_capture_on_commit_callbacks
):
    put_on_plan(workspace, "free")  # three video renders a period, one at a time
    used_up = {"kind": UsageEntry.Kind.ADJUSTMENT, "video_renders": 3, "narration_seconds": 0}
    UsageEntry.objects.create(workspace=workspace, **used_up)
    with django_capture_on_commit_callbacks(execute=False):
        series = start(workspace, campaign, owner, "script\nHost: One.\nHost: Two.\n")
    assert list(series.rows.values_list("status", flat=True)) == [Status.FAILED] * 2
    assert "no video renders left this period" in series.rows.first().error


def test_a_failed_render_fails_its_row_with_the_reason_and_the_next_rows_go_on(
    owner, workspace, campaign, fast_renders, django_capture_on_commit_callbacks
):
    VoiceFactory(workspace=workspace, name="Broken", settings={"speed": 50})
    text = "script,voices\nHost: One.,Host=Broken\nHost: Two.,\nHost: Three.,\n"
    with django_capture_on_commit_callbacks(execute=True):
        series = start(workspace, campaign, owner, text)
    first, second, third = series.rows.all()
    assert first.status == Status.FAILED
    assert first.error == "The render failed: narrate: block 1 (Host): speed must be from 0.5 to 2.0, not 50"
    assert second.status == third.status == Status.REVIEW

    # The creator fixes the script (another voice) and sends the row on again.
    Script.objects.filter(pk=first.script_id).update(body="Host: One, again.")
    first.voices = {}
    first.save()
    with django_capture_on_commit_callbacks(execute=True):
        render_again(first)
    first.refresh_from_db()
    assert first.status == Status.REVIEW and first.error == ""
