"""`manage.py render`: the pipeline in-process, writing the named files."""

import json
import subprocess
import sys
from itertools import pairwise

import av
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command


def test_it_writes_narration_captions_and_a_report(tmp_path):
    script = tmp_path / "talk.txt"
    script.write_text("Host: Hello there.\n[pause 0.5s]\nGuest: Hi!")
    call_command("render", str(script), "--out", str(tmp_path / "out"), verbosity=0)
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert names == ["captions.json", "captions.srt", "captions.vtt", "narration.mp3", "narration.wav", "report.json"]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [block["speaker"] for block in report["blocks"]] == ["Host", "Guest"]
    assert set(report["stages"]) == {"narrate", "captions"} and report["duration"] > 1


def test_the_speech_cache_is_kept_under_var_dir(tmp_path):
    script = tmp_path / "talk.txt"
    script.write_text("Host: Hello there.")
    call_command("render", str(script), "--out", str(tmp_path / "out"), "--no-verify", verbosity=0)
    assert any(path.is_file() for path in (tmp_path / "var" / "speech-cache").rglob("*"))


def test_video_at_a_constant_frame_rate_and_a_progress_bar_from_the_command_line(tmp_path):
    script = tmp_path / "talk.json"
    script.write_text(json.dumps({"blocks": [{"speaker": "Host", "text": "Hello there."}]}))
    result = subprocess.run(
        [sys.executable, "manage.py", "render", str(script), "--out", str(tmp_path / "out"), "--video",
         "--aspect", "1:1", "--height", "240", "--constant-frame-rate"],
        cwd=settings.BASE_DIR, capture_output=True, text=True,
        env={
            "DJANGO_SETTINGS_MODULE": "omnivibe.settings_test",
            "PATH": "/usr/bin:/bin",
            "OMNIVIBE_VAR_DIR": str(tmp_path / "var"),  # its speech cache, not the checkout's
        },
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "100%" in result.stderr and "wrote" in result.stdout
    assert (tmp_path / "out" / "video.mp4").stat().st_size > 1000
    assert not (tmp_path / "out" / "captions.ass").exists()
    with av.open(str(tmp_path / "out" / "video.mp4")) as container:
        stream = container.streams.video[0]
        times = [frame.time for frame in container.decode(stream)]
    assert len(times) == round(float(stream.duration * stream.time_base) * 30)  # every frame stored, 30 a second
    assert all(abs(later - earlier - 1 / 30) < 1e-3 for earlier, later in pairwise(times))


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("Hello.", "bad.txt", "line 1: start the script with a speaker"),
        ("{nope", "bad.json", "is not valid JSON"),
    ],
)
def test_bad_scripts_get_a_clear_message(tmp_path, content, name, message):
    (tmp_path / name).write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("render", str(tmp_path / name), "--out", str(tmp_path / "out"), verbosity=0)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("render", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "out"), verbosity=0)


def test_a_video_written_to_a_relative_folder(tmp_path, monkeypatch):
    # ffmpeg runs inside the work folders: a relative --out must still mean the folder the person named.
    script = tmp_path / "talk.txt"
    script.write_text("Host: Hello there.")
    monkeypatch.chdir(tmp_path)
    call_command("render", str(script), "--out", "out", "--video", "--height", "240", "--no-verify", verbosity=0)
    assert (tmp_path / "out" / "video.mp4").stat().st_size > 1000
