"""The pronunciation dictionary: its checks, writes and reads, shared by the Studio, the API and render jobs.

Entries are checked here, not in a form or a serializer, so every way in refuses the same things with the
same words (`PronunciationRefused`).
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from accounts import audit
from accounts.models import Workspace
from mediakit.speech.engines import EngineError
from mediakit.speech.engines.piper.phonemes import check_phonemes
from mediakit.text.lexicon import PHONEMES, RESPELLING, said_as, tidy
from mediakit.text.pls import PlsError, read_pls, write_pls
from scripts.models import Campaign, Pronunciation

MAX_WRITTEN = Pronunciation._meta.get_field("written").max_length
MAX_SPOKEN = Pronunciation._meta.get_field("spoken").max_length
MAX_ENTRIES = 1000  # per workspace, campaigns' entries included: a dictionary, not a corpus


class PronunciationRefused(ValueError):
    """An entry that cannot be saved; `field` names the input at fault ("" for the entry as a whole)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def pronunciations_of(workspace: Workspace) -> QuerySet[Pronunciation]:
    return Pronunciation.objects.filter(workspace=workspace).select_related("campaign")


def lexicon_for(workspace: Workspace, campaign: Campaign | None = None) -> dict[str, str]:
    """written -> what the voice is given, for a job: the workspace's entries, overridden by the campaign's for
    the same word. Phonemes come as a `[[ ... ]]` block (mediakit.text.lexicon.said_as)."""
    entries = pronunciations_of(workspace).filter(campaign__isnull=True)
    chosen = {entry.written.casefold(): (entry.written, said_as(entry.spoken, entry.kind)) for entry in entries}
    if campaign is not None:
        chosen |= {
            entry.written.casefold(): (entry.written, said_as(entry.spoken, entry.kind))
            for entry in campaign.pronunciations.all()
        }
    return dict(sorted(chosen.values(), key=lambda pair: pair[0].casefold()))


def check_entry(written: str, spoken: str, kind: str = RESPELLING) -> tuple[str, str]:
    """The entry tidied (spaces collapsed), or PronunciationRefused naming what is wrong. Phonemes must be
    ones the built-in Piper voice has (its model's phoneme map), in IPA."""
    if kind not in (RESPELLING, PHONEMES):
        raise PronunciationRefused(f"Choose {RESPELLING} or {PHONEMES}.", "kind")
    for name, value, limit in (("written", written, MAX_WRITTEN), ("spoken", spoken, MAX_SPOKEN)):
        if "\x00" in value:
            raise PronunciationRefused("Remove the NUL character.", name)
        if not tidy(value):
            raise PronunciationRefused("This cannot be empty.", name)
        if len(tidy(value)) > limit:
            raise PronunciationRefused(f"Keep this to {limit} characters or fewer.", name)
    if not any(char.isalnum() for char in written):
        raise PronunciationRefused("Write the word or phrase as it appears in your scripts.", "written")
    if kind == PHONEMES:
        try:
            check_phonemes(tidy(spoken))
        except EngineError as error:
            raise PronunciationRefused(f"{str(error)[0].upper()}{str(error)[1:]}.", "spoken") from None
    elif not any(char.isalnum() for char in spoken):
        raise PronunciationRefused("Write how to say it in letters, e.g. Ack-mee.", "spoken")
    return tidy(written), tidy(spoken)


def save_pronunciation(
    workspace: Workspace,
    *,
    written: str,
    spoken: str,
    kind: str = RESPELLING,
    campaign: Campaign | None = None,
    entry: Pronunciation | None = None,
) -> Pronunciation:
    """Add an entry (or change `entry`). Raises PronunciationRefused for a bad entry, a campaign of another
    workspace, a word already in the same dictionary, or a full dictionary."""
    written, spoken = check_entry(written, spoken, kind)
    if campaign is not None and campaign.workspace_id != workspace.pk:
        raise PronunciationRefused("Choose one of this workspace's campaigns.", "campaign")
    entry = entry or Pronunciation(workspace=workspace)
    entry.written, entry.spoken, entry.kind, entry.campaign = written, spoken, kind, campaign
    same = pronunciations_of(workspace).filter(written__iexact=written, campaign=campaign).exclude(pk=entry.pk)
    if same.exists():
        where = f"the campaign {campaign.name}" if campaign else "this workspace's dictionary"
        raise PronunciationRefused(f"“{written}” is already in {where}.", "written")
    try:
        with transaction.atomic():
            _lock(workspace)
            if entry.pk is None:
                _check_room(workspace, 1)
            entry.save()
    except IntegrityError:  # the same word added at the same moment
        raise PronunciationRefused(f"“{written}” is already in this dictionary.", "written") from None
    return entry


def delete_pronunciation(entry: Pronunciation, *, by) -> None:
    with transaction.atomic():
        audit.record(entry.workspace_id, by, "pronunciation.deleted", f"Deleted the pronunciation of “{entry.written}”")
        entry.delete()


def _lock(workspace: Workspace) -> None:
    """Writers of one workspace's dictionary take turns, so two adds never both fit in the last place."""
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()


def _check_room(workspace: Workspace, adding: int) -> None:
    if pronunciations_of(workspace).count() + adding > MAX_ENTRIES:
        raise PronunciationRefused(f"A workspace can keep up to {MAX_ENTRIES} pronunciations.")


def export_pls(workspace: Workspace, campaign: Campaign | None = None) -> bytes:
    """One dictionary (the workspace's, or a campaign's) as a PLS file."""
    entries = pronunciations_of(workspace).filter(campaign=campaign)
    return write_pls([(entry.written, entry.spoken, entry.kind) for entry in entries])


@dataclass
class Imported:
    added: int = 0
    changed: int = 0
    skipped: list[str] = field(default_factory=list)  # words the file gives nothing we can say for


def import_pls(workspace: Workspace, data: bytes, campaign: Campaign | None = None) -> Imported:
    """Add a PLS file's entries to one dictionary; a word already there (any case) takes the file's
    pronunciation: its alias as a respelling, else its IPA phonemes. All or nothing: PronunciationRefused
    (field "file") names the first problem."""
    if campaign is not None and campaign.workspace_id != workspace.pk:
        raise PronunciationRefused("Choose one of this workspace's campaigns.", "campaign")
    try:
        lexemes = read_pls(data)
    except PlsError as error:
        raise PronunciationRefused(str(error), "file") from None
    wanted: dict[str, tuple[str, str, str]] = {}  # a word twice in the file: the later lexeme wins
    result = Imported()
    for lexeme in lexemes:
        if not lexeme.alias and not lexeme.phonemes:
            result.skipped.extend(lexeme.graphemes)
            continue
        kind, said = (RESPELLING, lexeme.alias) if lexeme.alias else (PHONEMES, lexeme.phonemes)
        for grapheme in lexeme.graphemes:
            try:
                written, spoken = check_entry(grapheme, said, kind)
            except PronunciationRefused as refused:
                raise PronunciationRefused(f"“{grapheme[:40]}”: {refused}", "file") from None
            wanted[written.casefold()] = (written, spoken, kind)
    with transaction.atomic():
        _lock(workspace)
        existing = {entry.written.casefold(): entry for entry in pronunciations_of(workspace).filter(campaign=campaign)}
        new = [
            Pronunciation(workspace=workspace, campaign=campaign, written=written, spoken=spoken, kind=kind)
            for key, (written, spoken, kind) in wanted.items()
            if key not in existing
        ]
        _check_room(workspace, len(new))
        changed = [
            existing[key]
            for key, (_, spoken, kind) in wanted.items()
            if key in existing and (existing[key].spoken, existing[key].kind) != (spoken, kind)
        ]
        for entry in changed:
            _, entry.spoken, entry.kind = wanted[entry.written.casefold()]
            entry.save(update_fields=["spoken", "kind", "updated_at"])
        Pronunciation.objects.bulk_create(new)
    result.added, result.changed = len(new), len(changed)
    return result
