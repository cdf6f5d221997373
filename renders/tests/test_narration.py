"""The narrate stage with the real Piper voice and the real faster-whisper: verify, retry, flag, cache."""

import wave
from itertools import pairwise

import numpy as np
import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from mediakit.audio import PEAK_CEILING
from mediakit.pipeline import RenderContext
from mediakit.pipeline.stages import narrate
from mediakit.speech.cache import SpeechCache
from mediakit.text.script import parse_text, speakers_in_order
from renders.models import RenderJob
from renders.services import run_job, submit_render
from voices.services import default_voice_spec


def context(tmp_path, body, workdir_name="work", **options):
    blocks = parse_text(body)
    voices = {speaker: default_voice_spec(i) for i, speaker in enumerate(speakers_in_order(blocks))}
    workdir = tmp_path / workdir_name
    workdir.mkdir()
    return RenderContext(blocks=blocks, voices=voices, workdir=workdir, video=False, **options)


def test_a_unit_that_is_never_heard_right_is_retried_and_flagged(tmp_path):
    ctx = context(tmp_path, "Host: Hello there, welcome to the show.\nGuest: Blorf snigwazzle kroomph vexlat quib.")
    narrate.run(ctx)
    clear, gibberish = ctx.report["blocks"]
    assert clear["passed"] and clear["score"] <= 0.1  # (Piper draws noise: a rare clear line needs a 2nd try)
    assert not gibberish["passed"] and gibberish["tries"] == 3 and gibberish["score"] > 0.1
    assert gibberish["units"][0]["transcript"]  # what was heard is kept for the creator to see
    assert ctx.report["flagged_blocks"] == [1]


def test_a_voice_at_the_slowest_speed_is_retried_without_going_slower(tmp_path):
    ctx = context(tmp_path, "Guest: Blorf snigwazzle kroomph vexlat quib.")
    ctx.voices["Guest"]["settings"] = {"speed": 0.5}
    narrate.run(ctx)  # the third try slows down from 0.5, which Piper refuses: the stage failed here
    assert ctx.report["blocks"][0]["tries"] == 3


WRITTEN = "On March 3rd, 2024, Dr. Smith paid $5.50 for 12 apples."


def test_numbers_are_spoken_and_timed_on_the_written_words(tmp_path):
    ctx = context(tmp_path, f"Host: {WRITTEN}")
    narrate.run(ctx)
    (block,) = ctx.report["blocks"]
    assert block["passed"], block["units"][0]["transcript"]
    assert [word.text for word in ctx.words] == WRITTEN.split()
    starts = [word.start for word in ctx.words]
    assert starts == sorted(starts) and all(w.start <= w.end <= ctx.duration for w in ctx.words)
    # The written "$5.50" covers "five dollars and fifty cents": it lasts longer than "for".
    timed = {word.text: word.end - word.start for word in ctx.words}
    assert timed["$5.50"] > timed["for"]


JOINED = "We walked in the rain from the station."  # espeak says "in the" and "from the" as one word each


def test_an_unverified_narration_is_timed_by_piper_alone(tmp_path):
    ctx = context(tmp_path, f"Host: {WRITTEN}\nGuest: {JOINED}", verify=False)
    narrate.run(ctx)
    assert all(unit["transcript"] == "" for block in ctx.report["blocks"] for unit in block["units"])  # unheard
    assert [word.text for word in ctx.words] == [*WRITTEN.split(), *JOINED.split()]
    assert all(a.end <= b.start for a, b in pairwise(ctx.words)) and ctx.words[-1].end <= ctx.duration
    timed = {word.text: word.end - word.start for word in ctx.words}
    assert timed["$5.50"] > timed["for"] and timed["in"] > 0 and timed["the"] > 0


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
    job = submit_render(workspace=workspace, blocks=blocks, title="Three", kind=RenderJob.Kind.AUDIO)
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


def test_narration_is_at_minus_16_lufs_and_even_across_speakers(tmp_path):
    import pyloudnorm

    ctx = context(tmp_path, "Host: A calm sentence spoken plainly.\nGuest: Another sentence, a little brighter.")
    narrate.run(ctx)
    with wave.open(str(ctx.outputs["wav"])) as wav:
        rate = wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64) / 32768
    meter = pyloudnorm.Meter(rate)
    levels = []
    for block in ctx.report["blocks"]:
        part = samples[round(block["start"] * rate) : round((block["start"] + block["duration"]) * rate)]
        levels.append(meter.integrated_loudness(part))
    assert abs(levels[0] - levels[1]) < 1.5
    assert meter.integrated_loudness(samples) == pytest.approx(-16, abs=1.0)  # the audio-only target
    # Piper's speech at -16 LUFS peaks about 5 dB over full scale: limited, never clipped.
    assert np.abs(samples).max() <= PEAK_CEILING + 1 / 32768


def test_a_quiet_unit_with_a_loud_peak_keeps_its_peak_whole():
    rate = narrate.SAMPLE_RATE
    time = np.arange(2 * rate) / rate
    quiet = (0.03 * np.sin(2 * np.pi * 220 * time)).astype(np.float32)
    quiet[rate : rate + 200] = 0.9 * np.sin(2 * np.pi * 1000 * time[:200])  # a click, a plosive
    tidied, _ = narrate._tidy(quiet)
    peak = int(np.argmax(np.abs(tidied)))
    assert np.abs(tidied).max() <= PEAK_CEILING
    # Clipped, the click would sit at full scale for most of its 200 samples; limited, only its crests touch.
    assert np.sum(np.abs(tidied) >= PEAK_CEILING * 0.99) < 20
    assert rate - 5 < peak < rate + 200  # still where it was
    assert np.abs(tidied[: rate // 2]).max() > 0.03 * 5  # the quiet part was still brought up


def test_clips_heard_in_one_pass_get_their_own_words_back():
    from concurrent.futures import ThreadPoolExecutor

    from mediakit.speech.align import word_error_rate
    from mediakit.speech.engines import get_engine
    from mediakit.speech.verify import Listener

    sentences = ["The cat sat on the mat.", "Rain is falling on the green hills.", "We will meet again tomorrow."]
    piper = get_engine("piper")
    clips = [piper.synthesize(text, "joe", {"variation": 0.3}) for text in sentences]
    with ThreadPoolExecutor(2) as pool:
        listener = Listener(clips[0].sample_rate, pool)
        for index in (2, 0, 1):  # clips are handed in as their synthesis finishes, in any order
            listener.add(index, clips[index].samples)
        heard = listener.hearings()
    hearings = [heard[index] for index in range(len(clips))]
    for text, clip, hearing in zip(sentences, clips, hearings, strict=True):
        assert word_error_rate(text, hearing.transcript) <= 0.15, hearing.transcript
        assert all(0 <= word.start <= word.end <= clip.duration for word in hearing.words)


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
