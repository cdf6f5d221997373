"""A workspace's storage use, for its billing page. The files belong to the apps above billing (renders' outputs
and speech cache), so billing asks through a signal they answer, the way accounts asks billing for seats."""

from dataclasses import dataclass

from django.dispatch import Signal

from accounts.models import Workspace

# Sent with `workspace`; each receiver returns a list of StorageUse (what it stores for the workspace).
storage_used_by = Signal()


@dataclass(frozen=True)
class StorageUse:
    label: str
    bytes: int


def storage_of(workspace: Workspace) -> list[StorageUse]:
    return [use for _, answer in storage_used_by.send(sender=Workspace, workspace=workspace) for use in answer]
