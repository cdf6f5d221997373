"""Reads of scripts and campaigns, always through a workspace."""

from django.db.models import QuerySet

from accounts.models import Workspace
from scripts.models import Campaign, Script


def scripts_of(workspace: Workspace) -> QuerySet[Script]:
    return Script.objects.filter(workspace=workspace)


def campaigns_of(workspace: Workspace) -> QuerySet[Campaign]:
    return Campaign.objects.filter(workspace=workspace)
