"""Script memory: a script's vector is stored once its save commits, and "similar scripts" are the workspace's
nearest in meaning (never itself, never another workspace's)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from mediakit.text.embeddings import MODEL_ID
from publishing.models import VideoMetrics
from scripts.memory import memory_text, remember, similar_scripts
from scripts.models import Script, ScriptEmbedding
from scripts.performance import Performance, performance_of
from tests.factories import ScriptFactory, WorkspaceFactory, published_video

pytestmark = pytest.mark.django_db

BREAD = "Host: Today we bake sourdough bread at home, from the starter to the crust."
LOAVES = "Host: A beginner's guide to baking loaves: flour, water, salt and a little patience."
STOCKS = "Host: The stock market fell sharply today as interest rates rose again."


def test_a_saved_script_gets_its_vector_once_the_save_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        script = ScriptFactory(body=BREAD)
    stored = ScriptEmbedding.objects.get(script=script)
    assert stored.model == MODEL_ID and len(bytes(stored.vector)) == 384 * 4


def test_a_rolled_back_save_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        ScriptFactory(body=BREAD)
    assert len(callbacks) == 1  # queued for after the commit, not before it
    assert not ScriptEmbedding.objects.exists()


def test_similar_scripts_are_the_workspaces_nearest_in_meaning():
    script = ScriptFactory(title="Sourdough", body=BREAD)
    loaves = ScriptFactory(workspace=script.workspace, title="Baking basics", body=LOAVES)
    stocks = ScriptFactory(workspace=script.workspace, title="Markets", body=STOCKS)
    elsewhere = ScriptFactory(title="Sourdough", body=BREAD)  # another workspace's twin
    for other in (loaves, stocks, elsewhere):
        remember(other.pk)
    found = similar_scripts(script)
    assert [item.script for item in found] == [loaves]  # the markets script is below the similarity floor
    assert 0.25 <= found[0].similarity <= 1


def test_among_narrows_the_candidates():
    script = ScriptFactory(body=BREAD)
    loaves = ScriptFactory(workspace=script.workspace, body=LOAVES)
    remember(loaves.pk)
    assert similar_scripts(script, among=Script.objects.exclude(pk=loaves.pk)) == []
    assert [item.script for item in similar_scripts(script, among=Script.objects.filter(pk=loaves.pk))] == [loaves]


def test_a_stale_vector_is_computed_again_when_asked():
    script = ScriptFactory(body=BREAD)
    before = bytes(remember(script.pk).vector)
    Script.objects.filter(pk=script.pk).update(body=STOCKS)  # saved, its worker task not run yet
    assert bytes(remember(script.pk).vector) != before
    assert ScriptEmbedding.objects.count() == 1


def test_an_unchanged_script_is_not_computed_again():
    script = ScriptFactory(body=BREAD)
    first = remember(script.pk)
    assert remember(script.pk).updated_at == first.updated_at


def test_a_deleted_script_is_forgotten():
    script = ScriptFactory(body=BREAD)
    remember(script.pk)
    script.delete()
    assert remember(script.pk) is None and not ScriptEmbedding.objects.exists()


def test_what_a_script_means_leaves_out_speaker_names_and_pauses():
    script = ScriptFactory.build(title="Ep 1", body="Host: Hello there.\n[pause 1s]\nGuest: Hi!")
    assert memory_text(script) == "Ep 1. Hello there. Hi!"


def test_the_command_remembers_scripts_saved_before_the_upgrade(capsys):
    workspace = WorkspaceFactory()
    ScriptFactory.create_batch(2, workspace=workspace, body=BREAD)
    ScriptFactory(body=STOCKS)
    call_command("remember_scripts", workspace=workspace.pk)
    assert ScriptEmbedding.objects.count() == 2 and "2 scripts remembered" in capsys.readouterr().out


def test_ranked_by_performance_the_similar_scripts_whose_videos_did_best_come_first():
    script = ScriptFactory(title="Sourdough", body=BREAD)
    twin = ScriptFactory(workspace=script.workspace, title="Sourdough again", body=BREAD + " Let us bake.")
    loaves = ScriptFactory(workspace=script.workspace, title="Baking basics", body=LOAVES)
    stocks = ScriptFactory(workspace=script.workspace, title="Markets", body=STOCKS)
    for other in (twin, loaves, stocks):
        remember(other.pk)
    published_video(loaves, 1500, watch_minutes=250.0)
    published_video(loaves, 500)  # a second channel: added up
    published_video(stocks, 90000)  # the best video, but not similar: never shown

    by_meaning = similar_scripts(script)
    ranked = similar_scripts(script, by_performance=True)

    assert [item.script for item in by_meaning] == [twin, loaves]
    assert [item.script for item in ranked] == [loaves, twin]
    assert ranked[0].performance == Performance(views=2000, watch_minutes=250.0, videos=2)
    assert ranked[1].performance is None and by_meaning[1].performance == ranked[0].performance
    assert [item.script for item in similar_scripts(script, by_performance=True, limit=1)] == [loaves]


def test_the_performance_of_scripts_counts_each_videos_latest_figures_in_its_own_workspace_only():
    script = ScriptFactory()
    video = published_video(script, 10)
    VideoMetrics.objects.create(publication=video, fetched_at=timezone.now() + timedelta(hours=1), views=40)
    published_video(ScriptFactory(), 999)  # another workspace's

    assert performance_of(script.workspace_id) == {script.pk: Performance(views=40, watch_minutes=None, videos=1)}
