"""A workspace's settings: renaming it, and deleting it with everything in it.

Deleting cascades through every app's rows (voices' pre_delete receiver also releases vendor clones), and the
files those rows point to are deleted once that is committed. The apps above accounts may hold it back through
`deletion_blocked_by`, so accounts need not import them.
"""

import logging

from django.contrib.admin.utils import NestedObjects
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.dispatch import Signal

from accounts import audit
from accounts.models import Workspace

logger = logging.getLogger(__name__)

# Sent with `workspace` before it is deleted; each receiver returns sentences naming what still needs it
# (renders: jobs queued or running; billing: a subscription still billing). Any sentence refuses the deletion.
deletion_blocked_by = Signal()


class WorkspaceRefused(Exception):
    """Said to the owner: why the workspace cannot be changed or deleted now."""


def change_settings(workspace: Workspace, *, name: str, default_language: str, by) -> None:
    """Rename the workspace and set the language new scripts start in; each change is audited."""
    changes = []
    if name != workspace.name:
        changes.append(("workspace.renamed", f"Renamed {workspace.name} to {name}"))
    if default_language != workspace.default_language:
        changes.append(
            ("workspace.language", f"New scripts start in {default_language} (was {workspace.default_language})")
        )
    if not changes:
        return
    workspace.name, workspace.default_language = name, default_language
    with transaction.atomic():
        workspace.save(update_fields=["name", "default_language"])
        for action, summary in changes:
            audit.record(workspace, by, action, summary)


def delete(workspace: Workspace, typed_name: str, *, by) -> None:
    """Deletes `workspace` once `typed_name` is its name and nothing above accounts still needs it."""
    if typed_name.strip() != workspace.name:
        raise WorkspaceRefused(f"Type the workspace's name, {workspace.name}, exactly to delete it.")
    with transaction.atomic():
        reasons = [
            reason
            for _, reasons in deletion_blocked_by.send(sender=Workspace, workspace=workspace)
            for reason in reasons
        ]
        if reasons:
            raise WorkspaceRefused(f"{workspace.name} cannot be deleted yet: {'; '.join(reasons)}.")
        files = _files_of(workspace)
        # Its audit log goes with it, so the deletion is logged for the operators instead.
        logger.info("workspace %s (%s) deleted by user %s", workspace.pk, workspace.name, getattr(by, "pk", None))
        workspace.delete()
        transaction.on_commit(lambda: [file.storage.delete(file.name) for file in files])


def _files_of(workspace: Workspace) -> list[FieldFile]:
    """Every file a row deleted with `workspace` points to (samples, logos, music, render outputs), found by the
    admin's collector, which follows every cascade the deletion will (and does not skip rows as fast deletes)."""
    collector = NestedObjects(using="default")
    collector.collect([workspace])
    return [
        getattr(row, field.name)
        for model, rows in collector.data.items()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
        for row in rows
        if getattr(row, field.name)
    ]
