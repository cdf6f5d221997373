"""The pronunciation dictionary: its checks, writes and reads, shared by the Studio, the API and render jobs.

Entries are checked here, not in a form or a serializer, so every way in refuses the same things with the
same words (`PronunciationRefused`).
"""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from accounts.models import Workspace
from mediakit.text.lexicon import tidy
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
    """written -> spoken for a job: the workspace's entries, overridden by the campaign's for the same word."""
    entries = pronunciations_of(workspace).filter(campaign__isnull=True)
    chosen = {entry.written.casefold(): (entry.written, entry.spoken) for entry in entries}
    if campaign is not None:
        chosen |= {entry.written.casefold(): (entry.written, entry.spoken) for entry in campaign.pronunciations.all()}
    return dict(sorted(chosen.values(), key=lambda pair: pair[0].casefold()))


def check_entry(written: str, spoken: str) -> tuple[str, str]:
    """The entry tidied (spaces collapsed), or PronunciationRefused naming what is wrong."""
    for field, value, limit in (("written", written, MAX_WRITTEN), ("spoken", spoken, MAX_SPOKEN)):
        if "\x00" in value:
            raise PronunciationRefused("Remove the NUL character.", field)
        if not tidy(value):
            raise PronunciationRefused("This cannot be empty.", field)
        if len(tidy(value)) > limit:
            raise PronunciationRefused(f"Keep this to {limit} characters or fewer.", field)
    if not any(char.isalnum() for char in written):
        raise PronunciationRefused("Write the word or phrase as it appears in your scripts.", "written")
    if not any(char.isalnum() for char in spoken):
        raise PronunciationRefused("Write how to say it in letters, e.g. Ack-mee.", "spoken")
    return tidy(written), tidy(spoken)


def save_pronunciation(
    workspace: Workspace,
    *,
    written: str,
    spoken: str,
    campaign: Campaign | None = None,
    entry: Pronunciation | None = None,
) -> Pronunciation:
    """Add an entry (or change `entry`). Raises PronunciationRefused for a bad entry, a campaign of another
    workspace, a word already in the same dictionary, or a full dictionary."""
    written, spoken = check_entry(written, spoken)
    if campaign is not None and campaign.workspace_id != workspace.pk:
        raise PronunciationRefused("Choose one of this workspace's campaigns.", "campaign")
    entry = entry or Pronunciation(workspace=workspace)
    entry.written, entry.spoken, entry.campaign = written, spoken, campaign
    same = pronunciations_of(workspace).filter(written__iexact=written, campaign=campaign).exclude(pk=entry.pk)
    if same.exists():
        where = f"the campaign {campaign.name}" if campaign else "this workspace's dictionary"
        raise PronunciationRefused(f"“{written}” is already in {where}.", "written")
    try:
        with transaction.atomic():
            Workspace.objects.select_for_update().filter(pk=workspace.pk).first()  # one add at a time counts
            if entry.pk is None and pronunciations_of(workspace).count() >= MAX_ENTRIES:
                raise PronunciationRefused(f"A workspace can keep up to {MAX_ENTRIES} pronunciations.")
            entry.save()
    except IntegrityError:  # the same word added at the same moment
        raise PronunciationRefused(f"“{written}” is already in this dictionary.", "written") from None
    return entry


def delete_pronunciation(entry: Pronunciation) -> None:
    entry.delete()
