"""Reads of the voice library, always through a workspace."""

from django.db.models import QuerySet

from accounts.models import Workspace
from voices.models import Voice


def voices_of(workspace: Workspace) -> QuerySet[Voice]:
    return Voice.objects.filter(workspace=workspace)
