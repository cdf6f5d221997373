"""Reads of scripts and campaigns, always through a workspace."""

from django.db.models import Q, QuerySet

from accounts.models import Workspace
from scripts.models import Campaign, Script


def scripts_of(workspace: Workspace) -> QuerySet[Script]:
    return Script.objects.filter(workspace=workspace)


def search_scripts(workspace: Workspace, *, query: str = "", campaign_id: int | None = None) -> QuerySet[Script]:
    """The workspace's scripts, newest edit first: `query` in the title or the body, of one campaign if given."""
    scripts = scripts_of(workspace).select_related("campaign")
    if query:
        scripts = scripts.filter(Q(title__icontains=query) | Q(body__icontains=query))
    if campaign_id is not None:
        scripts = scripts.filter(campaign_id=campaign_id)
    return scripts.order_by("-updated_at", "-pk")


def campaigns_of(workspace: Workspace) -> QuerySet[Campaign]:
    return Campaign.objects.filter(workspace=workspace)


def search_campaigns(workspace: Workspace, *, query: str = "") -> QuerySet[Campaign]:
    """The workspace's campaigns by name: `query` in the name."""
    campaigns = campaigns_of(workspace)
    if query:
        campaigns = campaigns.filter(name__icontains=query)
    return campaigns.order_by("name", "pk")
