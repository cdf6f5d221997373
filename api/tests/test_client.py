"""End to end: the `omnivibe` CLI against a live server, real Piper synthesis."""

import json

import av
import pytest
from omnivibe_client import cli

from api.keys import create_key
from api.tests.test_jobs import finished_job
from tests.factories import api_workspace, workspace_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def omnivibe(live_server, owner, monkeypatch):
    monkeypatch.setenv("OMNIVIBE_URL", live_server.url)
    monkeypatch.setenv("OMNIVIBE_API_KEY", create_key(api_workspace(owner), name="cli")[1])
    return cli.main


def test_register_synthesize_wait_and_download(omnivibe, tmp_path, capsys):
    assert omnivibe(["speakers", "register", "Host", "--voice-id", "joe-deep", "--settings", '{"speed": 1.1}']) == 0
    assert json.loads(capsys.readouterr().out)["voice_id"] == "joe-deep"
    assert omnivibe(["speakers", "list"]) == 0 and "Host" in capsys.readouterr().out
    script = tmp_path / "episode.txt"
    script.write_text("Host: Welcome back.\n[pause 0.3s]\nGuest: Thanks for having me.\n")

    assert omnivibe(["synthesize", str(script), "--wait"]) == 0
    captured = capsys.readouterr()
    job_id = captured.out.strip()
    assert "100%" in captured.err

    assert omnivibe(["download", job_id, "--to", str(tmp_path / "out")]) == 0
    files = {path.suffix: path for path in (tmp_path / "out").iterdir()}
    assert set(files) == {".wav", ".mp3", ".srt", ".vtt", ".json"}
    for audio in (files[".wav"], files[".mp3"]):
        with av.open(str(audio)) as container:
            assert container.duration / 1e6 > 1.0
    assert files[".vtt"].read_text().startswith("WEBVTT")
    captions = json.loads(files[".json"].read_text())
    assert [block["speaker"] for block in captions["blocks"]] == ["Host", "Guest"]

    assert omnivibe(["jobs", "list", "--status", "succeeded"]) == 0 and job_id in capsys.readouterr().out
    assert omnivibe(["jobs", "cancel", job_id]) == 0 and "outputs are deleted" in capsys.readouterr().out


@pytest.mark.storage
def test_download_follows_the_redirect_to_a_bucket(omnivibe, owner, bucket, tmp_path):
    job = finished_job(workspace_of(owner))
    assert omnivibe(["download", str(job.public_id), "--to", str(tmp_path)]) == 0
    assert (tmp_path / f"{job.public_id}.wav").read_bytes() == b"0123456789"


def test_a_bad_key_exits_4(live_server, monkeypatch, capsys, db):
    monkeypatch.setenv("OMNIVIBE_URL", live_server.url)
    monkeypatch.setenv("OMNIVIBE_API_KEY", "ov_not-a-key")
    assert cli.main(["speakers", "list"]) == cli.EXIT_AUTH
    assert "refused" in capsys.readouterr().err


def test_scripts_are_saved_listed_shown_and_deleted_from_the_cli(omnivibe, tmp_path, capsys):
    script = tmp_path / "coffee.txt"
    script.write_text("Host: Brew it slowly.\n[pause 0.5s]\nGuest: And drink it warm.\n")
    assert omnivibe(["scripts", "create", str(script), "--title", "Coffee"]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert [block["speaker"] for block in saved["parsed_blocks"]] == ["Host", "Guest"]
    assert omnivibe(["scripts", "list", "-q", "brew"]) == 0 and "Coffee" in capsys.readouterr().out
    assert omnivibe(["scripts", "show", str(saved["id"])]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Coffee"
    assert omnivibe(["scripts", "delete", str(saved["id"])]) == 0
    assert omnivibe(["scripts", "show", str(saved["id"])]) == cli.EXIT_NOT_FOUND


def test_a_bad_script_file_is_refused_naming_the_line(omnivibe, tmp_path, capsys):
    script = tmp_path / "bad.txt"
    script.write_text("no speaker here\n")
    assert omnivibe(["scripts", "create", str(script)]) == cli.EXIT_API
    assert "body: line 1: start the script with a speaker" in capsys.readouterr().err


def test_a_script_is_duplicated_and_its_similar_scripts_listed_from_the_cli(omnivibe, tmp_path, capsys):
    script = tmp_path / "bread.txt"
    script.write_text("Host: Today we bake sourdough bread at home, from the starter to the crust.\n")
    assert omnivibe(["scripts", "create", str(script), "--title", "Sourdough"]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert omnivibe(["scripts", "duplicate", str(saved["id"])]) == 0
    copy = json.loads(capsys.readouterr().out)
    assert copy["title"] == "Sourdough (copy)"
    assert omnivibe(["scripts", "similar", str(saved["id"]), "--limit", "3"]) == 0
    assert "Sourdough (copy)" in capsys.readouterr().out
    assert omnivibe(["scripts", "similar", str(saved["id"]), "--best-first"]) == 0
    assert "Sourdough (copy)" in capsys.readouterr().out
