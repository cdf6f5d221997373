"""The pipeline on a short two-speaker script with the real Piper voice and the real ffmpeg."""

import json
import wave

import av
import numpy as np
import pytest
import srt
import webvtt

from mediakit.pipeline import RenderContext, run_pipeline
from mediakit.speech.engines.piper.settings import PRESETS
from mediakit.text.script import parse_text, speakers_in_order

SCRIPT = "Host: Welcome back to the show.\nGuest: Thanks for having me here today.\n[pause 1s]\nHost: Let's start."


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    blocks = parse_text(SCRIPT)
    seen = []
    ctx = RenderContext(
        blocks=blocks,
        voices={
            speaker: {"engine": "piper", "voice_id": preset, "settings": {}}
            for speaker, preset in zip(speakers_in_order(blocks), PRESETS, strict=False)
        },
        workdir=tmp_path_factory.mktemp("render"),
        video=True,
        aspect="16:9",
        video_height=360,
        on_progress=lambda stage, percent: seen.append((stage, percent)),
    )
    run_pipeline(ctx)
    return ctx, seen


def read_wav(path):
    with wave.open(str(path)) as wav:
        rate = wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768
    return samples, rate


def test_the_narration_holds_every_block_and_its_pauses(rendered):
    ctx, _ = rendered
    samples, rate = read_wav(ctx.outputs["wav"])
    assert abs(len(samples) / rate - ctx.duration) < 0.01
    blocks = ctx.report["blocks"]
    assert [block["speaker"] for block in blocks] == ["Host", "Guest", "Host"]
    # Guest's block is followed by the script's 1 s pause: silence there, speech on either side.
    pause_start = blocks[1]["start"] + blocks[1]["duration"]
    pause = samples[int((pause_start + 0.1) * rate) : int((pause_start + 0.9) * rate)]
    assert np.abs(pause).max() < 0.01
    assert blocks[2]["start"] == pytest.approx(pause_start + 1.0, abs=0.01)
    for block in blocks:
        speech = samples[int(block["start"] * rate) : int((block["start"] + block["duration"]) * rate)]
        assert block["duration"] > 0.5 and np.sqrt(np.mean(speech**2)) > 0.02


def test_captions_stay_inside_the_audio_in_order(rendered):
    ctx, _ = rendered
    subtitles = list(srt.parse(ctx.outputs["srt"].read_text()))
    assert subtitles
    ends = [sub.end.total_seconds() for sub in subtitles]
    starts = [sub.start.total_seconds() for sub in subtitles]
    assert starts == sorted(starts) and all(s < e for s, e in zip(starts, ends, strict=True))
    assert starts[0] >= 0 and ends[-1] <= ctx.duration + 0.001
    assert all(e <= s for e, s in zip(ends, starts[1:], strict=False))
    vtt = webvtt.from_string(ctx.outputs["vtt"].read_text())
    assert "<v Guest>" in ctx.outputs["vtt"].read_text() and len(vtt.captions) == len(subtitles)
    words = [w for block in json.loads(ctx.outputs["json"].read_text())["blocks"] for w in block["words"]]
    assert " ".join(w["text"] for w in words).startswith("Welcome back to the show.")
    assert all(0 <= w["start"] <= w["end"] <= ctx.duration + 0.001 for w in words)


def test_the_video_is_h264_and_aac_of_the_narrations_length(rendered):
    ctx, _ = rendered
    with av.open(str(ctx.outputs["mp4"])) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        assert video.codec_context.name == "h264" and audio.codec_context.name == "aac"
        assert (video.codec_context.width, video.codec_context.height) == (640, 360)
        assert video.codec_context.pix_fmt == "yuv420p"
        duration = container.duration / av.time_base
    assert duration == pytest.approx(ctx.duration, abs=0.1)


def test_progress_runs_through_every_stage_to_100(rendered):
    _, seen = rendered
    assert list(dict.fromkeys(stage for stage, _ in seen)) == ["narrate", "captions", "storyboard", "compose"]
    percents = [percent for _, percent in seen]
    assert percents == sorted(percents) and percents[0] == 0 and percents[-1] == 100
