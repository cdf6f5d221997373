"""What a creator writes (`Script`), the series it belongs to (`Campaign`, with its brand kit) and how to say
its words (`Pronunciation`).

The tables keep the names they had in the `studio` app (moved here without touching the data).
"""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

from accounts.models import Workspace
from mediakit.text.lexicon import PHONEMES, RESPELLING


def campaign_upload_to(campaign: "Campaign", filename: str) -> str:
    # Workspace first in the path (storage rules follow the tenant); a random folder keeps names unique.
    return f"workspaces/{campaign.workspace_id}/campaigns/{uuid.uuid4().hex}/{filename}"


HEX_COLOR = RegexValidator(r"^#[0-9A-Fa-f]{6}$", "Enter a colour as #RRGGBB.")


class Campaign(models.Model):
    """A named series of videos sharing defaults: aspect ratio and the brand kit (look, logo, music)."""

    class Aspect(models.TextChoices):
        PORTRAIT = "9:16", "9:16 (Shorts, Reels, TikTok)"
        LANDSCAPE = "16:9", "16:9 (YouTube)"
        SQUARE = "1:1", "1:1 (Feed)"

    class Font(models.TextChoices):
        # Roboto ships with the app (font-roboto); libass picks the face by name and the bold flag.
        BOLD = "Roboto Bold", "Roboto Bold"
        REGULAR = "Roboto", "Roboto Regular"
        MEDIUM = "Roboto Medium", "Roboto Medium"
        LIGHT = "Roboto Light", "Roboto Light"
        BLACK = "Roboto Black", "Roboto Black"

    class CaptionSize(models.TextChoices):
        SMALL = "small", "Small"
        MEDIUM = "medium", "Medium"
        LARGE = "large", "Large"

    class CaptionPosition(models.TextChoices):
        BOTTOM = "bottom", "Bottom"
        CENTER = "center", "Centre"

    class CaptionPreset(models.TextChoices):  # mediakit.captions.ass.PRESETS
        HIGHLIGHT = "highlight", "Word highlight"
        KARAOKE = "karaoke", "Karaoke sweep"
        POP = "pop", "Word pop"
        BOXED = "boxed", "Boxed"
        CENTRE = "centre", "Bold centre"
        MINIMAL = "minimal", "Minimal"

    class CaptionPlatform(models.TextChoices):  # mediakit.captions.ass.PLATFORMS
        ANY = "any", "Any (no platform UI)"
        TIKTOK = "tiktok", "TikTok"
        REELS = "reels", "Instagram Reels"
        SHORTS = "shorts", "YouTube Shorts"

    class Transition(models.TextChoices):
        CUT = "cut", "Cut"
        CROSSFADE = "crossfade", "Crossfade"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=120)
    # New scripts of the workspace start in its default campaign (at most one: scripts.services.set_default_campaign).
    is_default = models.BooleanField(default=False)
    aspect = models.CharField(max_length=5, choices=Aspect.choices, default=Aspect.PORTRAIT)
    primary_color = models.CharField(max_length=7, default="#1e293b", validators=[HEX_COLOR])
    secondary_color = models.CharField(max_length=7, default="#7c3aed", validators=[HEX_COLOR])
    gradient = models.BooleanField(default=True, help_text="Scene backgrounds blend the two colours.")
    font = models.CharField(max_length=20, choices=Font.choices, default=Font.BOLD)
    logo = models.FileField(upload_to=campaign_upload_to, max_length=300, blank=True)
    caption_size = models.CharField(max_length=6, choices=CaptionSize.choices, default=CaptionSize.MEDIUM)
    caption_color = models.CharField(max_length=7, default="#FFFFFF", validators=[HEX_COLOR])
    highlight_color = models.CharField(max_length=7, default="#FFD400", validators=[HEX_COLOR])
    caption_position = models.CharField(max_length=6, choices=CaptionPosition.choices, default=CaptionPosition.BOTTOM)
    caption_preset = models.CharField(
        "Caption style", max_length=10, choices=CaptionPreset.choices, default=CaptionPreset.HIGHLIGHT
    )
    caption_platform = models.CharField(
        "Keep captions clear of",
        max_length=10,
        choices=CaptionPlatform.choices,
        default=CaptionPlatform.ANY,
        help_text="Captions stay out of the platform's buttons and text.",
    )
    burn_captions = models.BooleanField(
        default=True, help_text="Draw captions into the video (the SRT and VTT files come either way)."
    )
    music = models.FileField(upload_to=campaign_upload_to, max_length=300, blank=True)
    # AI video (renders/visuals.py) for the campaign's renders; a render can still turn it off. Both need keys.
    ai_video = models.BooleanField(
        "AI video for scenes without stock footage",
        default=False,
        help_text="Made by the text-to-video provider; counted in the plan's AI video seconds.",
    )
    avatar_intro = models.BooleanField(
        "Avatar intro scene",
        default=False,
        help_text="A talking presenter says the first scene; counted in the plan's AI video seconds.",
    )
    zoom = models.BooleanField(default=False, help_text="A slow zoom over still backgrounds.")
    transition = models.CharField(max_length=10, choices=Transition.choices, default=Transition.CUT)
    # The review gate (publishing): without it, every finished video of the campaign's series waits for approval.
    auto_approve = models.BooleanField(
        default=False, help_text="Finished videos of this campaign's series are approved without a review."
    )
    brand_notes = models.TextField(
        blank=True,
        max_length=2000,
        help_text="How the brand speaks (words to use or avoid, who the audience is): the AI writer follows it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "studio_campaign"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"], condition=models.Q(is_default=True), name="one_default_campaign_per_workspace"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Script(models.Model):
    """What a creator writes, in the script text format (`Speaker: line`, `[pause 1s]`; see the README)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="scripts")
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="scripts")
    title = models.CharField(max_length=200)
    language = models.CharField(max_length=10, default="en")
    body = models.TextField()
    # Speaker -> the voice chosen for them in the speakers panel: "voice:<library pk>" or "builtin:<name>"
    # (voices.services.voice_specs_for reads it; a speaker left out is matched by name, else a default voice).
    voices = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "studio_script"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title


class ScriptEmbedding(models.Model):
    """The script's meaning as a vector (script memory: "similar scripts"), kept beside the script so lists of
    scripts never load it. `text_hash` is the hash of the text it was computed from: a stale vector is
    recomputed, and a worker that read an older text never overwrites a newer one's vector."""

    script = models.OneToOneField(Script, on_delete=models.CASCADE, primary_key=True, related_name="embedding")
    model = models.CharField(max_length=60)
    text_hash = models.CharField(max_length=64)
    vector = models.BinaryField()  # float32 little-endian (mediakit.text.embeddings.to_bytes)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.model} vector of script {self.script_id}"


class Pronunciation(models.Model):
    """How to say a word or phrase of the workspace's scripts ("Acme" -> "Ack-mee"). A campaign's entry
    overrides the workspace's for the same written form; captions always show what was written. `spoken` is a
    respelling, or IPA phonemes (`kind`), which Piper voices say exactly and other voices get as their vendor's
    phoneme rules."""

    class Kind(models.TextChoices):
        RESPELLING = RESPELLING, "Respelling"
        PHONEMES = PHONEMES, "Phonemes (IPA)"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="pronunciations")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="pronunciations"
    )
    written = models.CharField(max_length=100)
    spoken = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RESPELLING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [Lower("written"), "pk"]
        constraints = [
            # NULLs are distinct in a unique index: the workspace's own entries need a constraint of their own.
            models.UniqueConstraint(
                "workspace",
                Lower("written"),
                condition=models.Q(campaign__isnull=True),
                name="pronunciation_written_unique_in_workspace",
            ),
            models.UniqueConstraint(
                "campaign",
                Lower("written"),
                condition=models.Q(campaign__isnull=False),
                name="pronunciation_written_unique_in_campaign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.written} → {self.spoken}"


class VendorDictionary(models.Model):
    """A job's pronunciations kept at a vendor with dictionaries of its own (ElevenLabs): one per workspace and
    scope (its own entries, or a campaign's with them), saved again only when its rules change."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="vendor_dictionaries")
    engine = models.CharField(max_length=40)
    scope = models.CharField(max_length=40)  # "workspace", "campaign-<id>" or "hear-it"
    dictionary_id = models.CharField(max_length=100)
    version_id = models.CharField(max_length=100)
    rules_hash = models.CharField(max_length=64)  # sha256 of the rules last saved there
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("workspace", "engine", "scope", name="vendor_dictionary_unique_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.engine} {self.dictionary_id}@{self.version_id}"
