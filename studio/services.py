"""Workspaces, campaigns and scripts: creating them, and what a script's render is asked for."""

from typing import Any

from django.db import transaction

from mediakit.captions.ass import CENTER_MARGIN, CaptionStyle
from studio.models import Campaign, Membership, Script, Workspace


def ensure_personal_workspace(user) -> Workspace:
    """Every user owns at least one workspace; created on sign-up (and for users made otherwise)."""
    membership = user.memberships.select_related("workspace").order_by("created_at").first()
    if membership:
        return membership.workspace
    with transaction.atomic():
        name = f"{user.get_username().split('@')[0]}'s workspace"
        workspace = Workspace.objects.create(name=name)
        Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.OWNER)
    return workspace


# Campaign font choice -> (ASS font name, bold): Bold and Regular are one family told apart by the flag.
FONT_FACES = {
    Campaign.Font.BOLD: ("Roboto", True),
    Campaign.Font.REGULAR: ("Roboto", False),
}
BOTTOM_MARGIN = CaptionStyle().margin_bottom
CAPTION_SIZES = {"small": 0.04, "medium": 0.05, "large": 0.065}  # fraction of the video height


def render_options_for(script: Script, *, aspect: str, prepare_storyboard: bool = False) -> dict[str, Any]:
    """A render job's options for this script: its language, the chosen aspect, its campaign's brand kit."""
    # Any language tag is safe: the normaliser reads languages without rules of their own plainly.
    options: dict[str, Any] = {"aspect": aspect, "language": script.language}
    if prepare_storyboard:
        options["prepare_storyboard"] = True
    campaign = script.campaign
    if campaign is None:
        return options
    font_name, bold = FONT_FACES.get(campaign.font, (campaign.font, False))
    options.update(
        brand={"primary": campaign.primary_color, "secondary": campaign.secondary_color, "gradient": campaign.gradient},
        zoom=campaign.zoom,
        transition=campaign.transition,
        caption_style={
            "font_name": font_name,
            "bold": bold,
            "font_size": CAPTION_SIZES[campaign.caption_size],
            "primary_color": campaign.caption_color,
            "highlight_color": campaign.highlight_color,
            "margin_bottom": CENTER_MARGIN
            if campaign.caption_position == Campaign.CaptionPosition.CENTER
            else BOTTOM_MARGIN,
        },
    )
    # Storage names, not paths: the worker copies them into the job's work dir (storage may be remote).
    if campaign.logo:
        options["logo"] = campaign.logo.name
    if campaign.music:
        options["music"] = campaign.music.name
    return options
