"""Pronunciations at ElevenLabs: our entries saved as one of its pronunciation dictionaries through the official
SDK (alias rules, IPA phoneme rules where the model reads them), saved again only when they change, and
passed to synthesis as locators. Against the local fake of its HTTP API."""

import pytest

from mediakit.speech.engines import get_engine
from mediakit.text.lexicon import PHONEMES, Lexicon, said_as
from scripts.dictionaries import vendor_dictionaries
from scripts.models import VendorDictionary
from tests.factories import workspace_of
from voices.engine_context import engine_context

from .test_elevenlabs import pcm_bytes, tone, with_timestamps

ENTRIES = {"Acme": "Ack-mee", "Vibe": said_as("vaɪb", PHONEMES)}
ALIAS = {"type": "alias", "string_to_replace": "Acme", "case_sensitive": False, "word_boundaries": True}
PHONEME = {"type": "phoneme", "string_to_replace": "Vibe", "case_sensitive": False, "word_boundaries": True}


def elevenlabs():
    return get_engine("elevenlabs", engine_context())


def test_respellings_are_alias_rules_and_phonemes_are_ipa_rules_for_models_that_read_them(fake, settings):
    assert elevenlabs().dictionary_rules(ENTRIES.items()) == [ALIAS | {"alias": "Ack-mee"}]  # multilingual v2
    settings.ELEVENLABS_MODEL_ID = "eleven_flash_v2"
    assert elevenlabs().dictionary_rules(ENTRIES.items()) == [
        ALIAS | {"alias": "Ack-mee"},
        PHONEME | {"phoneme": "vaɪb", "alphabet": "ipa"},
    ]


def test_a_dictionary_is_created_then_given_new_rules_and_created_again_when_deleted_there(fake):
    engine = elevenlabs()
    rules = engine.dictionary_rules(ENTRIES.items())
    assert engine.save_dictionary("Ours", rules) == ("dict1", "dict1-v1")
    assert fake.requests[-1].path == "/v1/pronunciation-dictionaries/add-from-rules"
    assert fake.requests[-1].json() == {"name": "Ours", "rules": rules}
    assert engine.save_dictionary("Ours", rules, "dict1") == ("dict1", "dict1-v2")
    assert fake.requests[-1].path == "/v1/pronunciation-dictionaries/dict1/set-rules"
    assert engine.save_dictionary("Ours", rules, "gone") == ("dict2", "dict2-v1")


def test_synthesis_carries_the_locators(fake):
    fake.answer("/v1/text-to-speech/voice-1/with-timestamps", 200, with_timestamps(pcm_bytes(tone(0.3)), "Hi."))
    elevenlabs().synthesize("Hi.", "voice-1", {}, dictionaries=(("dict1", "dict1-v2"),))
    assert fake.requests[-1].json()["pronunciation_dictionary_locators"] == [
        {"pronunciation_dictionary_id": "dict1", "version_id": "dict1-v2"}
    ]
    elevenlabs().synthesize("Hi.", "voice-1", {})
    assert "pronunciation_dictionary_locators" not in fake.requests[-1].json()


@pytest.mark.django_db
def test_a_workspaces_dictionary_is_saved_there_only_when_its_entries_change(fake, owner, settings):
    settings.ELEVENLABS_MODEL_ID = "eleven_turbo_v2"
    workspace = workspace_of(owner)
    engines = {"elevenlabs": elevenlabs(), "piper": get_engine("piper", engine_context())}
    first = vendor_dictionaries(workspace.pk, "workspace", ENTRIES, engines)
    assert first == {"elevenlabs": (("dict1", "dict1-v1"),)}  # Piper says its pronunciations from the text
    assert vendor_dictionaries(workspace.pk, "workspace", ENTRIES, engines) == first
    assert len(fake.requests) == 1
    changed = vendor_dictionaries(workspace.pk, "workspace", ENTRIES | {"Acme": "Ak-mi"}, engines)
    assert changed == {"elevenlabs": (("dict1", "dict1-v2"),)}
    assert fake.dictionaries["dict1"]["dict1-v2"][0]["alias"] == "Ak-mi"
    assert vendor_dictionaries(workspace.pk, "campaign-7", ENTRIES, engines) == {"elevenlabs": (("dict2", "dict2-v1"),)}
    assert VendorDictionary.objects.count() == 2
    assert vendor_dictionaries(workspace.pk, "workspace", {}, engines) == {}


def test_a_narration_with_an_elevenlabs_voice_passes_the_dictionary_and_keeps_phonemes_out_of_the_text(fake, tmp_path):
    from mediakit.pipeline import RenderContext
    from mediakit.pipeline.stages import narrate
    from mediakit.text.script import parse_text

    spoken = "Welcome to Ack-mee and Vibe."
    fake.answer("/v1/text-to-speech/voice-1/with-timestamps", 200, with_timestamps(pcm_bytes(tone(1.2)), spoken))
    ctx = RenderContext(
        blocks=parse_text("Host: Welcome to Acme and Vibe."),
        voices={"Host": {"engine": "elevenlabs", "voice_id": "voice-1", "settings": {}}},
        workdir=tmp_path,
        video=False,
        engines=engine_context(),
        lexicon=Lexicon.of(ENTRIES.items()),
        dictionaries={"elevenlabs": (("dict1", "dict1-v1"),)},
        verify=False,
    )
    (unit,) = narrate.plan_units(ctx)
    ctx.dictionaries = {"elevenlabs": (("dict1", "dict1-v2"),)}
    assert narrate.plan_units(ctx)[0].key != unit.key  # a new version of the dictionary: said anew
    narrate.run(ctx)
    sent = fake.requests[-1].json()
    assert sent["text"] == spoken
    assert sent["pronunciation_dictionary_locators"] == [
        {"pronunciation_dictionary_id": "dict1", "version_id": "dict1-v2"}
    ]


@pytest.mark.django_db
def test_deleting_a_workspace_archives_its_dictionaries_at_elevenlabs_once_committed(
    fake, owner, django_capture_on_commit_callbacks
):
    workspace = workspace_of(owner)
    vendor_dictionaries(workspace.pk, "workspace", ENTRIES, {"elevenlabs": elevenlabs()})
    VendorDictionary.objects.create(  # one ElevenLabs no longer has: fine
        workspace=workspace, engine="elevenlabs", scope="hear-it", dictionary_id="gone", version_id="v", rules_hash=""
    )
    with django_capture_on_commit_callbacks(execute=True):
        workspace.delete()
        assert not fake.archived  # nothing leaves before the deletion is committed
    assert fake.archived == {"dict1"}
    assert sorted(r.path for r in fake.requests if r.method == "PATCH") == [
        "/v1/pronunciation-dictionaries/dict1",
        "/v1/pronunciation-dictionaries/gone",
    ]
    assert not VendorDictionary.objects.exists()
