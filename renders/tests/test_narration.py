"""The narrate stage with the real Piper voice and the real faster-whisper: verify, retry, flag, cache."""

import wave

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from mediakit.errors import RenderCancelled
from mediakit.pipeline import RenderContext
from mediakit.pipeline.stages import narrate
from mediakit.speech.cache import SpeechCache
from mediakit.text.script import parse_text, speakers_in_order
from renders.models import RenderJob
from renders.services import create_job, run_job
from voices.services import default_voice_spec


def context(tmp_path, body, workdir_name="work", **options):
    blocks = parse_text(body)
    voices = {speaker: default_voice_spec(i) for i, speaker in enumerate(speakers_in_order(blocks))}
    workdir = tmp_path / workdir_name
    workdir.mkdir()
    return RenderContext(blocks=blocks, voices=voices, workdir=workdir, video=False, **options)


def test_a_second_render_reuses_every_unit_from_the_cache(tmp_path):
    cache = SpeechCache(FileSystemStorage(location=tmp_path / "cache"), "test")
    body = "Host: The first line is here.\nGuest: And the second one follows."
    first = context(tmp_path, body, speech_cache=cache)
    narrate.run(first)
    first_audio = first.outputs["wav"].read_bytes()
    second = context(tmp_path, body, "again", speech_cache=cache)
    narrate.run(second)
    assert all(unit["cached"] for block in second.report["blocks"] for unit in block["units"])
    assert second.outputs["wav"].read_bytes() == first_audio


def test_a_narration_stopped_part_way_keeps_its_finished_units_for_the_next_attempt(tmp_path):
    # A worker killed (or a render cancelled) in the middle of narrating: every unit that was final by then is
    # in the speech cache already, so the next attempt synthesises only the rest.
    cache = SpeechCache(FileSystemStorage(location=tmp_path / "cache"), "test")
    body = "\n".join(f"Host: This is sentence number {n} of the story." for n in range(1, 7))

    def cached_files() -> list:
        return list((tmp_path / "cache").rglob("*.npz"))

    stopped = context(tmp_path, body, verify=False, speech_cache=cache, is_cancelled=lambda: bool(cached_files()))
    with pytest.raises(RenderCancelled):
        narrate.run(stopped)
    kept = len(cached_files())
    assert 1 <= kept < 6
    again = context(tmp_path, body, "again", verify=False, speech_cache=cache)
    narrate.run(again)
    reused = [unit["cached"] for block in again.report["blocks"] for unit in block["units"]]
    assert sum(reused) == kept and len(reused) == 6


def test_units_cached_unverified_are_heard_when_a_later_render_verifies(tmp_path):
    cache = SpeechCache(FileSystemStorage(location=tmp_path / "cache"), "test")
    body = "Host: The first line is here."
    narrate.run(context(tmp_path, body, verify=False, speech_cache=cache))
    checked = context(tmp_path, body, "checked", speech_cache=cache)
    narrate.run(checked)
    (unit,) = checked.report["blocks"][0]["units"]
    assert not unit["cached"] and unit["transcript"]  # heard now, not taken on trust from the cache
    again = context(tmp_path, body, "again", speech_cache=cache)
    narrate.run(again)
    assert again.report["blocks"][0]["units"][0]["cached"]  # the verified take is reused


def block_audio(job: RenderJob, index: int) -> bytes:
    """The block's frames; the report's times are rounded to ms, so the first and last blocks are cut
    from the file's exact ends (the last block has no pause after it)."""
    block = job.report["blocks"][index]
    with wave.open(job.outputs.get(kind="wav").file.open("rb")) as wav:
        rate, total = wav.getframerate(), wav.getnframes()
        frames = wav.readframes(total)
    length = int(block["duration"] * rate) - 2  # whole frames inside the block whatever the rounding
    width = 2  # bytes per mono 16-bit frame
    if index == 0:
        return frames[: length * width]
    if index == len(job.report["blocks"]) - 1:
        return frames[-length * width :]
    start = round(block["start"] * rate) + 1
    return frames[start * width : (start + length) * width]


@pytest.mark.django_db
def test_regenerating_one_block_keeps_the_others_byte_identical(owner, owner_client):
    workspace = owner.memberships.get().workspace
    blocks = parse_text("Host: One fine morning.\nGuest: The second block is here.\nHost: And the third one.")
    job = create_job(workspace=workspace, blocks=blocks, title="Three", kind=RenderJob.Kind.AUDIO)
    run_job(job.pk)
    job.refresh_from_db()

    response = owner_client.post(reverse("renders:job_regenerate", args=[job.public_id, 1]))
    again = RenderJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("renders:job", args=[again.public_id])
    assert again.options["regenerate_blocks"] == [1]
    run_job(again.pk)
    again.refresh_from_db()

    assert again.status == RenderJob.Status.SUCCEEDED
    assert block_audio(again, 0) == block_audio(job, 0)
    assert block_audio(again, 2) == block_audio(job, 2)
    assert block_audio(again, 1) != block_audio(job, 1)  # Piper draws new noise for the regenerated block
    units = {block["index"]: block["units"][0]["cached"] for block in again.report["blocks"]}
    assert units == {0: True, 1: False, 2: True}


@pytest.mark.django_db
def test_a_block_that_does_not_exist_cannot_be_regenerated(owner, owner_client):
    job = RenderJob.objects.create(
        workspace=owner.memberships.get().workspace, title="T", blocks=[{"speaker": "Host", "text": "Hi."}],
        status=RenderJob.Status.SUCCEEDED,
    )  # fmt: skip
    response = owner_client.post(reverse("renders:job_regenerate", args=[job.public_id, 5]), follow=True)
    assert "This job has no block 6." in response.content.decode()
    assert RenderJob.objects.count() == 1


@pytest.mark.parametrize("damage", [lambda data: data[: len(data) // 2], lambda data: b"not a cache entry"])
def test_an_unreadable_cache_entry_is_made_again(tmp_path, caplog, damage):
    cache = SpeechCache(FileSystemStorage(location=tmp_path / "cache"), "test")
    body = "Host: The first line is here."
    narrate.run(context(tmp_path, body, speech_cache=cache))
    (entry,) = (tmp_path / "cache").rglob("*.npz")
    entry.write_bytes(damage(entry.read_bytes()))  # a disk that filled up, a copy cut short

    again = context(tmp_path, body, "again", speech_cache=cache)
    narrate.run(again)
    assert not again.report["blocks"][0]["units"][0]["cached"]
    assert "unreadable" in caplog.text
    assert [path.name for path in (tmp_path / "cache").rglob("*") if path.is_file()] == [entry.name]  # no leftovers
    assert cache.load(entry.stem) is not None  # replaced by a whole entry
