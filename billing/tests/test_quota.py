"""Quota before work starts: each plan's limits, reservations, settlement, refunds."""

from decimal import Decimal

import pytest

from billing.models import Reservation, UsageEntry
from billing.quota import QuotaExceeded, adjust
from billing.selectors import usage_summary
from mediakit.text.script import Block
from renders import actions
from renders.models import RenderJob
from renders.options import RenderOptions
from renders.quota import cost_of, settle_job
from renders.services import create_job, regenerate_block, run_job
from tests.factories import put_on_plan

pytestmark = pytest.mark.django_db
PLANS = ["free", "creator", "pro", "business"]


def ten_seconds(extra_pause: float = 0.0) -> list[Block]:
    # 5 words at 150 words a minute = 2 s, plus an 8 s pause: exactly 10 s.
    return [Block(speaker="Host", text="one two three four five", pause_after=8.0 + extra_pause)]


def submit(workspace, blocks=None, kind=RenderJob.Kind.AUDIO, **options) -> RenderJob:
    return create_job(
        workspace=workspace, blocks=blocks or ten_seconds(), title="T", kind=kind, options=RenderOptions(**options)
    )


def use_up(workspace, *, seconds: int = 0, renders: int = 0) -> None:
    adjust(workspace, narration_seconds=Decimal(seconds), video_renders=renders, note="test usage", staff=None)


def test_the_estimate_is_words_at_the_speaking_rate_plus_pauses(settings):
    settings.NARRATION_WORDS_PER_MINUTE = 150
    blocks = [Block("Host", "word " * 150, pause_after=1.5), Block("Guest", "hi")]
    assert cost_of(blocks, "video", RenderOptions()).narration_seconds == Decimal(
        62
    )  # 60 s + 0.4 s + 1.5 s, rounded up
    assert cost_of(blocks, "video", RenderOptions()).video_renders == 1
    assert cost_of(blocks, "audio", RenderOptions()).video_renders == 0


def test_the_estimate_counts_the_words_that_will_be_spoken_not_the_written_ones(settings):
    settings.NARRATION_WORDS_PER_MINUTE = 150
    # 4 written tokens; the voice says 29 words ("one thousand two hundred and fifty dollars", ...): 11.6 s.
    blocks = [Block("Host", "$1,250 2026 3.14159 1,234,567")]
    assert cost_of(blocks, "audio", RenderOptions()).narration_seconds == Decimal(12)


def test_japanese_and_korean_are_estimated_by_character_not_by_the_few_spaces_they_have(settings):
    settings.NARRATION_WORDS_PER_MINUTE = 150
    # 350 Japanese characters and 300 Korean syllables take about a minute, like 150 English words.
    japanese = [Block("Host", "今日は東京で会議です。" * 35)]  # 350 characters, 10 of them full stops
    korean = [Block("Host", "오늘 회의가 있습니다 " * 40)]  # 360 syllables: 72 s
    assert 55 <= cost_of(japanese, "audio", RenderOptions(language="ja")).narration_seconds <= 65
    assert 66 <= cost_of(korean, "audio", RenderOptions(language="ko-KR")).narration_seconds <= 78


def test_a_render_longer_than_its_estimate_is_never_charged_past_the_plan(plans, workspace):
    job = submit(workspace, [Block("Host", "In 2026 we raised $1,250 from 1,234,567 backers.")])
    reserved = job.reservation.narration_seconds
    use_up(workspace, seconds=600 - int(reserved))  # the rest of the period goes to other work meanwhile
    RenderJob.objects.filter(pk=job.pk).update(status=RenderJob.Status.SUCCEEDED)
    settle_job(job, float(reserved) + 30)
    entry = UsageEntry.objects.get(job=job)
    assert entry.narration_seconds == reserved
    assert "charged up to your plan's limit" in entry.note
    assert usage_summary(workspace)["narration_seconds"]["used"] == 600.0


def test_a_render_longer_than_its_estimate_is_charged_in_full_while_the_plan_has_room(plans, workspace):
    job = submit(workspace)
    settle_job(job, 25)
    assert UsageEntry.objects.get(job=job).narration_seconds == 25


def test_a_workspace_without_a_plan_record_is_on_free(plans, workspace):
    summary = usage_summary(workspace)
    assert summary["plan"]["slug"] == "free"
    assert summary["narration_seconds"] == {"included": 600.0, "used": 0.0, "held": 0.0, "remaining": 600.0}
    assert summary["video_renders"]["included"] == 3
    assert summary["max_video_height"] == 720


@pytest.mark.parametrize("slug", PLANS)
def test_narration_seconds_are_capped_by_the_plan(plans, workspace, slug):
    put_on_plan(workspace, slug)
    use_up(workspace, seconds=plans[slug].included_narration_seconds - 10)
    with pytest.raises(QuotaExceeded) as refused:
        submit(workspace, ten_seconds(extra_pause=1.0))
    assert refused.value.needed == {"narration_seconds": 11.0}
    assert refused.value.remaining == {"narration_seconds": 10.0}
    assert refused.value.upgrade_url == "/studio/billing/"
    assert "11 s of narration" in refused.value.message and not RenderJob.objects.exists()
    job = submit(workspace)
    assert job.reservation.narration_seconds == 10 and job.reservation.status == Reservation.Status.HELD
    assert usage_summary(workspace)["narration_seconds"]["remaining"] == 0.0


@pytest.mark.parametrize("slug", PLANS)
def test_video_renders_are_capped_by_the_plan_and_credits_give_them_back(plans, workspace, slug):
    put_on_plan(workspace, slug)
    use_up(workspace, renders=plans[slug].included_video_renders)
    with pytest.raises(QuotaExceeded, match="no video renders left") as refused:
        submit(workspace, kind=RenderJob.Kind.VIDEO)
    assert (refused.value.needed, refused.value.remaining) == ({"video_renders": 1}, {"video_renders": 0})
    assert submit(workspace, kind=RenderJob.Kind.AUDIO).reservation.video_renders == 0  # audio needs none
    RenderJob.objects.update(status=RenderJob.Status.SUCCEEDED)  # free the concurrency slot
    use_up(workspace, renders=-1)  # a staff credit
    assert submit(workspace, kind=RenderJob.Kind.VIDEO).reservation.video_renders == 1


@pytest.mark.parametrize("slug", PLANS)
def test_video_height_is_capped_by_the_plan(plans, workspace, slug, settings):
    settings.RENDER_VIDEO_HEIGHT = 1080
    plan = put_on_plan(workspace, slug).plan
    with pytest.raises(QuotaExceeded, match=f"up to {plan.max_video_height}p") as refused:
        submit(workspace, kind=RenderJob.Kind.VIDEO, height=plan.max_video_height + 1)
    assert refused.value.remaining == {"video_height": plan.max_video_height}
    default = submit(workspace, kind=RenderJob.Kind.VIDEO)
    assert default.options["height"] == min(1080, plan.max_video_height)  # the default never exceeds the plan
    RenderJob.objects.update(status=RenderJob.Status.SUCCEEDED)
    assert submit(workspace, kind=RenderJob.Kind.VIDEO, height=plan.max_video_height).options["height"] == (
        plan.max_video_height
    )


@pytest.mark.parametrize("slug", PLANS)
def test_concurrent_jobs_are_capped_by_the_plan(plans, workspace, slug):
    plan = put_on_plan(workspace, slug).plan
    jobs = [submit(workspace) for _ in range(plan.concurrent_jobs)]
    with pytest.raises(QuotaExceeded, match="at a time") as refused:
        submit(workspace)
    assert refused.value.remaining == {"concurrent_jobs": 0}
    actions.cancel_job(jobs[0])
    assert submit(workspace).status == RenderJob.Status.QUEUED


def test_a_bad_height_gets_a_clear_message(plans, workspace):
    with pytest.raises(ValueError, match="height must be a whole number of pixels, not 'tall'"):
        submit(workspace, kind=RenderJob.Kind.VIDEO, height="tall")


def test_settlement_records_the_actual_duration_not_the_estimate(plans, workspace):
    job = submit(workspace)
    settle_job(job, 7.456)
    entry = UsageEntry.objects.get(job=job)
    assert entry.narration_seconds == Decimal("7.46") and entry.video_renders == 0
    job.reservation.refresh_from_db()
    assert job.reservation.status == Reservation.Status.SETTLED
    summary = usage_summary(workspace)
    assert summary["narration_seconds"]["used"] == 7.46 and summary["narration_seconds"]["held"] == 0.0


def test_a_storyboard_video_pays_for_narration_only_when_it_was_synthesised_again(plans, workspace):
    reused = submit(workspace, kind=RenderJob.Kind.VIDEO, storyboard_of="prepared-job")
    assert reused.reservation.narration_seconds == 0 and reused.reservation.video_renders == 1
    assert settle_job(reused, 9.5, narration_reused=True).narration_seconds == 0
    synthesised = submit(workspace, kind=RenderJob.Kind.VIDEO, storyboard_of="prepared-job")
    assert settle_job(synthesised, 9.5, narration_reused=False).narration_seconds == Decimal("9.5")
    # Cached narration of an ordinary job is still charged: only the prepare job's narration was paid for.
    plain = submit(workspace)
    assert settle_job(plain, 9.5, narration_reused=True).narration_seconds == Decimal("9.5")


def test_regenerating_a_block_of_a_storyboard_video_reserves_its_narration(plans, workspace):
    video = submit(workspace, kind=RenderJob.Kind.VIDEO, storyboard_of="prepared-job")
    RenderJob.objects.filter(pk=video.pk).update(status=RenderJob.Status.SUCCEEDED)
    video.refresh_from_db()
    again = regenerate_block(video, 0)
    assert again.reservation.narration_seconds == 10 and again.options["storyboard_of"] == "prepared-job"
    RenderJob.objects.filter(pk=again.pk).update(status=RenderJob.Status.SUCCEEDED)
    settle_job(again, 9.5, narration_reused=False)
    use_up(workspace, seconds=600 - 10)
    with pytest.raises(QuotaExceeded, match="narration"):  # no free narration once the period is used up
        regenerate_block(video, 0)


def test_a_delivered_render_settles_with_its_real_narration_length(plans, workspace):
    job = submit(workspace, [Block("Host", "Hello there, this is a test.")])
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.SUCCEEDED
    assert 0 < job.usage.narration_seconds < 10
    assert job.reservation.status == Reservation.Status.SETTLED


def test_a_failed_render_releases_its_reservation(plans, workspace):
    job = submit(workspace, [Block("Host", "Hello there.")])
    RenderJob.objects.filter(pk=job.pk).update(
        options={"voices": {"Host": {"engine": "piper", "voice_id": "joe", "settings": {"speed": 50}}}}
    )
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED and not hasattr(job, "usage")
    assert job.reservation.status == Reservation.Status.RELEASED
    assert usage_summary(workspace)["narration_seconds"]["remaining"] == 600.0


def test_cancelling_a_queued_render_releases_its_reservation(plans, workspace):
    job = submit(workspace, kind=RenderJob.Kind.VIDEO)
    assert usage_summary(workspace)["video_renders"]["held"] == 1
    assert actions.cancel_job(job)
    job.reservation.refresh_from_db()
    assert job.reservation.status == Reservation.Status.RELEASED
    summary = usage_summary(workspace)
    assert summary["video_renders"]["remaining"] == 3 and summary["concurrent_jobs"]["running"] == 0


def test_settling_twice_writes_one_ledger_row(plans, workspace):
    job = submit(workspace)
    settle_job(job, 5)
    settle_job(job, 5)
    assert UsageEntry.objects.filter(job=job).count() == 1


@pytest.mark.parametrize(("slug", "marked"), [("free", True), ("pro", False)])
def test_the_plan_decides_the_video_watermark(plans, workspace, slug, marked):
    put_on_plan(workspace, slug)
    assert submit(workspace, kind=RenderJob.Kind.VIDEO).options["watermark"] is marked
