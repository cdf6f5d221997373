"""The pronunciation dictionary kept at vendors that have dictionaries of their own (ElevenLabs).

An engine with them also has `dictionary_rules(entries)` (its rules for our entries, plain data),
`save_dictionary(name, rules, dictionary_id)` (a new version, or a new dictionary) and
`archive_dictionary(dictionary_id)` (when the workspace is deleted). A job's frozen entries
are saved there before it narrates, only when their rules differ from the version last saved for the same
workspace and scope (`VendorDictionary` keeps its id, version and a hash of the rules); synthesis is then
given the (id, version) locator.
"""

import hashlib
import json

from django.db import transaction

import lanes
from mediakit.speech.engines import Engine, EngineError
from scripts.models import VendorDictionary
from voices import services as voices

Locator = tuple[str, str]


def scope_of(campaign_id: int | None) -> str:
    """A job's scope: its campaign's entries (with the workspace's), or the workspace's alone."""
    return f"campaign-{campaign_id}" if campaign_id else "workspace"


HEAR_IT = "hear-it"  # the one entry *Hear it* plays, in a dictionary of its own


def vendor_dictionaries(
    workspace_id: int, scope: str, pronunciations: dict[str, str], engines: dict[str, Engine]
) -> dict[str, tuple[Locator, ...]]:
    """engine name -> locators of the dictionary saved there for these entries, for each of `engines` that
    keeps dictionaries and has rules for them. Raises the engine's EngineError when the vendor refuses."""
    found: dict[str, tuple[Locator, ...]] = {}
    for name, engine in engines.items():
        if not pronunciations or not hasattr(engine, "dictionary_rules"):
            continue
        rules = engine.dictionary_rules(pronunciations.items())
        if rules:
            found[name] = (_saved(workspace_id, scope, name, engine, rules),)
    return found


def _saved(workspace_id: int, scope: str, name: str, engine: Engine, rules: list[dict]) -> Locator:
    digest = hashlib.sha256(json.dumps(rules, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    # The row stays locked while the vendor answers, so two jobs never create two dictionaries for one scope.
    with transaction.atomic():
        kept, _ = VendorDictionary.objects.select_for_update().get_or_create(
            workspace_id=workspace_id, engine=name, scope=scope
        )
        if kept.rules_hash != digest or not kept.version_id:
            label = f"OmniVibe workspace {workspace_id} {scope}"
            kept.dictionary_id, kept.version_id = engine.save_dictionary(label, rules, kept.dictionary_id)
            kept.rules_hash = digest
            kept.save()
    return kept.dictionary_id, kept.version_id


def archive_of_deleted_workspace(workspace_id: int) -> None:
    """A workspace is being deleted: once that is committed, the worker archives its dictionaries at their
    vendors (a vendor that is down cannot stop the deletion; the task tries again later)."""
    kept = VendorDictionary.objects.filter(workspace_id=workspace_id).values_list("engine", "dictionary_id")
    for name, found in kept:
        transaction.on_commit(
            lambda name=name, found=found: lanes.enqueue_retrying(
                "scripts.tasks.archive_vendor_dictionary", name, found, lane=lanes.FAST, task_name=f"archive-{found}"
            )
        )


def archive_vendor_dictionary(engine_name: str, dictionary_id: str) -> None:
    try:
        voices.engine(engine_name).archive_dictionary(dictionary_id)
    except EngineError as error:  # the vendor down or refusing for now: tried again later, with backoff
        raise lanes.Retryable(str(error)) from error
