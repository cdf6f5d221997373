"""Script memory: a script's vector is stored once its save commits, and "similar scripts" are the workspace's
nearest in meaning (never itself, never another workspace's)."""

import pytest
from django.core.management import call_command

from mediakit.text.embeddings import MODEL_ID
from scripts.memory import memory_text, remember, similar_scripts
from scripts.models import Script, ScriptEmbedding
from tests.factories import ScriptFactory, WorkspaceFactory

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
