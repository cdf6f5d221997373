"""Writes of scripts and campaigns beyond a form's save: copies and deletions (with their files)."""

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from scripts.models import Campaign, Script

MAX_TITLE = Script._meta.get_field("title").max_length
MAX_NAME = Campaign._meta.get_field("name").max_length


def _copy_name(name: str, limit: int) -> str:
    return f"{name[: limit - len(' (copy)')]} (copy)"


def duplicate_script(script: Script, user: Any) -> Script:
    """A new script with the same text, language, campaign and voices, titled '… (copy)'; its renders are not
    copied."""
    return Script.objects.create(
        workspace=script.workspace,
        campaign=script.campaign,
        title=_copy_name(script.title, MAX_TITLE),
        language=script.language,
        body=script.body,
        voices=script.voices,
        created_by=user,
    )


def duplicate_campaign(campaign: Campaign) -> Campaign:
    """A new campaign with the same brand kit; the logo and music are copied (each campaign owns its files)."""
    copy = Campaign.objects.get(pk=campaign.pk)
    copy.pk, copy.id, copy._state.adding = None, None, True
    copy.name = _copy_name(campaign.name, MAX_NAME)
    copy.logo, copy.music = "", ""
    with transaction.atomic():
        copy.save()
        for field in ("logo", "music"):
            original = getattr(campaign, field)
            if original:
                with original.open("rb") as handle:
                    getattr(copy, field).save(original.name.rsplit("/", 1)[-1], ContentFile(handle.read()), save=False)
        copy.save()
    return copy


def delete_campaign(campaign: Campaign) -> None:
    """Delete the campaign and its logo and music; its scripts stay, without a campaign."""
    files = [file for file in (campaign.logo, campaign.music) if file]
    with transaction.atomic():
        campaign.delete()
        for file in files:
            transaction.on_commit(lambda file=file: file.storage.delete(file.name))
