"""Property-based requests from our OpenAPI schema (schemathesis) against a live server: never a 5xx."""

import subprocess
import sys
from pathlib import Path

import pytest

from api.keys import create_key
from tests.factories import api_workspace

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_generated_request_gets_a_server_error(live_server, owner, monkeypatch, tmp_path):
    # Jobs are queued but not run: this is about request handling, not the render pipeline.
    monkeypatch.setattr("renders.services.async_task", lambda *args, **kwargs: None)
    key = create_key(api_workspace(owner), name="fuzz")[1]
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [
            str(st),
            "run",
            f"{live_server.url}/api/schema/",
            "--url",
            live_server.url,
            "--header",
            f"Authorization: Bearer {key}",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "15",
            "--seed",
            "1",
            "--generation-deterministic",
            "--phases",
            "examples,coverage,fuzzing",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=170,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
