"""Writes of scripts and campaigns beyond a form's save: copies and deletions (with their files)."""

from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from accounts import audit
from accounts.models import Workspace
from mediakit.text.script import Block, ScriptError, parse_text
from scripts.models import Campaign, Script

MAX_TITLE = Script._meta.get_field("title").max_length
MAX_NAME = Campaign._meta.get_field("name").max_length


def _copy_name(name: str, limit: int) -> str:
    return f"{name[: limit - len(' (copy)')]} (copy)"


def new_script_defaults(workspace: Workspace) -> dict[str, Any]:
    """What a new script starts with when its writer says nothing else: the workspace's language and campaign."""
    return {
        "language": workspace.default_language,
        "campaign": Campaign.objects.filter(workspace=workspace, is_default=True).first(),
    }


def set_default_campaign(workspace: Workspace, campaign: Campaign | None, *, by) -> None:
    """Make `campaign` (one of the workspace's, or None for no campaign) where new scripts start; audited."""
    with transaction.atomic():
        Workspace.objects.select_for_update().filter(pk=workspace.pk).first()  # two admins setting it take turns
        current = Campaign.objects.filter(workspace=workspace, is_default=True).first()
        if current == campaign:
            return
        Campaign.objects.filter(workspace=workspace, is_default=True).update(is_default=False)
        if campaign is not None:
            Campaign.objects.filter(pk=campaign.pk, workspace=workspace).update(is_default=True)
        where = f"the campaign {campaign.name}" if campaign else "no campaign"
        audit.record(workspace, by, "workspace.default_campaign", f"New scripts start in {where}")


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
    copy.logo, copy.music, copy.is_default = "", "", False  # one default campaign a workspace
    with transaction.atomic():
        copy.save()
        for field in ("logo", "music"):
            original = getattr(campaign, field)
            if original:
                with original.open("rb") as handle:
                    getattr(copy, field).save(original.name.rsplit("/", 1)[-1], ContentFile(handle.read()), save=False)
        copy.save()
    return copy


def rewrite_block(script: Script, block: Block, text: str) -> bool:
    """Give `block` (as a render froze it) new words in the script too, when the script still says it on its
    one line; False, leaving the script alone, when the script changed since or the block runs over lines."""
    with transaction.atomic():
        locked = Script.objects.select_for_update().get(pk=script.pk)
        try:
            blocks = parse_text(locked.body, max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
        except ScriptError:
            return False
        if not any((b.line, b.speaker, b.text) == (block.line, block.speaker, block.text) for b in blocks):
            return False
        lines = locked.body.splitlines(keepends=True)
        line = lines[block.line - 1]
        speaker, _, said = line.partition(":")  # a speaker's name never holds ":"
        if said.strip() != block.text:
            return False
        ending = line[len(line.rstrip("\r\n")) :]
        lines[block.line - 1] = f"{speaker}: {text}{ending}"
        locked.body = "".join(lines)
        locked.save(update_fields=["body", "updated_at"])
    script.body = locked.body
    return True


def delete_script(script: Script, *, by) -> None:
    """Delete the script (its renders stay: they keep their own copy of it); audited."""
    with transaction.atomic():
        audit.record(script.workspace_id, by, "script.deleted", f"Deleted the script “{script.title}”")
        script.delete()


def delete_campaign(campaign: Campaign, *, by) -> None:
    """Delete the campaign and its logo and music; its scripts stay, without a campaign. Audited."""
    files = [file for file in (campaign.logo, campaign.music) if file]
    with transaction.atomic():
        audit.record(campaign.workspace_id, by, "campaign.deleted", f"Deleted the campaign “{campaign.name}”")
        campaign.delete()
        for file in files:
            transaction.on_commit(lambda file=file: file.storage.delete(file.name))
