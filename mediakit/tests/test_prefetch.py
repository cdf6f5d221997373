"""Searches and downloads while narration runs: scenes predicted from the script's words, searched and
downloaded before the narration ends, and the visuals stage asks nothing twice."""

import time
from collections import Counter

import pytest

from mediakit.pipeline import RenderContext, run_pipeline
from mediakit.speech.engines.piper.settings import DEFAULT_PRESET
from mediakit.tests.test_visuals import Folder
from mediakit.text.script import parse_text
from mediakit.visuals import Visuals, query_for
from mediakit.visuals.download import Fetcher
from mediakit.visuals.prefetch import predicted_scenes
from mediakit.visuals.stock import Pexels
from tests import fake_stock

SCRIPT = "Host: The ocean is calm and blue tonight.\nHost: Snowy mountains rise high. Eagles circle the valley."


@pytest.fixture
def stock():
    fake = fake_stock.FakeStock()
    server = fake_stock.start(fake)
    yield fake
    server.shutdown()
    server.server_close()


def test_scenes_are_predicted_per_block_and_per_sentence_of_longer_blocks():
    queries = [query_for(scene) for scene in predicted_scenes(parse_text(SCRIPT))]
    assert queries == ["tonight ocean calm", "mountains eagles circle", "mountains snowy rise", "eagles circle valley"]


def test_stock_is_searched_and_downloaded_while_the_narration_runs(stock, tmp_path):
    stock.add("ocean", "ocean.mp4", fake_stock.tiny_mp4("blue"))
    stock.add("mountains", "mountains.mp4", fake_stock.tiny_mp4("green"))
    stages: dict[str, float] = {}
    ctx = RenderContext(
        blocks=parse_text(SCRIPT),
        voices={"Host": {"engine": "piper", "voice_id": DEFAULT_PRESET, "settings": {}}},
        workdir=tmp_path / "render",
        video=False,
        prepare_storyboard=True,
        visuals=Visuals(
            [Pexels(fake_stock.PEXELS_KEY, stock.pexels_url)],
            Fetcher(Folder(tmp_path / "storage"), "workspaces/1/stock", tmp_path / "work"),
        ),
        on_progress=lambda stage, percent: stages.setdefault(stage, time.monotonic()),
    )
    run_pipeline(ctx)

    assert ctx.prefetch.started < stages["captions"] and ctx.prefetch.ended <= stages["captions"]
    assert ctx.report["prefetch"]["downloads"] == 2 and ctx.report["prefetch"]["waited"] < 0.05
    assert [(v["scene"], v["source"]) for v in ctx.report["visuals"]][:2] == [(1, "pexels"), (2, "pexels")]
    # The visuals stage asked nothing the prefetch had asked, and downloaded nothing again.
    asked = Counter((path, query.get("query", [""])[0]) for path, query, _ in stock.requests)
    assert max(asked.values()) == 1
    assert asked[("/files/ocean.mp4", "")] == 1 and asked[("/files/mountains.mp4", "")] == 1


def test_a_refused_key_is_asked_once_ahead_and_the_render_notes_it(stock, tmp_path):
    ctx = RenderContext(
        blocks=parse_text(SCRIPT),
        voices={"Host": {"engine": "piper", "voice_id": DEFAULT_PRESET, "settings": {}}},
        workdir=tmp_path / "render",
        video=False,
        prepare_storyboard=True,
        visuals=Visuals(
            [Pexels("wrong", stock.pexels_url)],
            Fetcher(Folder(tmp_path / "storage"), "workspaces/1/stock", tmp_path / "work"),
        ),
    )
    run_pipeline(ctx)
    assert ctx.report["prefetch"]["errors"] == 1
    assert "Pexels refused the API key (401)" in ctx.report["visual_notes"][0]
    assert len([path for path, _, _ in stock.requests if path == "/pexels/videos/search"]) <= 2
