"""A render job's options: one typed value, frozen on the job as JSON (`RenderJob.options`) at submission.

The Studio, the API, retry, regenerate and the storyboard video all build or derive one; the worker reads it
back with `RenderOptions.from_json` (jobs stored before this type existed load the same way) and turns it into
the RenderContext's look. Media (logo, music, edited storyboard backgrounds) are storage names inside the
job's workspace, copied into the work dir before the pipeline runs (`renders.render_options.fetch_media`).
"""

from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from typing import Any

from mediakit.captions.ass import CENTER_MARGIN, PLATFORMS, PRESETS, CaptionStyle
from mediakit.pipeline.context import ASPECTS
from mediakit.video.storyboard import Brand
from scripts.models import Campaign, Script

TRANSITIONS = ("cut", "crossfade")
ALWAYS_STORED = {"language", "watermark", "voices"}
# The caption settings a campaign chooses; the rest of CaptionStyle keeps its defaults.
CAPTION_FIELDS = (
    "font_name", "bold", "font_size", "primary_color", "highlight_color", "margin_bottom", "preset", "platform"
)  # fmt: skip
# Campaign font choice -> (ASS font name, bold): Bold and Regular are one family told apart by the flag.
FONT_FACES = {
    Campaign.Font.BOLD: ("Roboto", True),
    Campaign.Font.REGULAR: ("Roboto", False),
}
CAPTION_SIZES = {"small": 0.04, "medium": 0.05, "large": 0.065}  # fraction of the video height
BOTTOM_MARGIN = CaptionStyle().margin_bottom


class InvalidRenderOptions(ValueError):
    """Options that cannot be rendered; the message names the option."""


@dataclass(frozen=True)
class RenderOptions:
    aspect: str | None = None  # None: not chosen (audio jobs); videos render 9:16
    language: str = "en"  # any tag: languages without rules of their own are read plainly
    height: int | None = None  # asked for; after admission, the height the plan allows
    watermark: bool = False  # set by the plan at admission, never by a request
    voices: dict[str, dict[str, Any]] = field(default_factory=dict)  # speaker -> frozen voice spec
    # written -> spoken, the workspace's (and the script's campaign's) dictionary frozen by create_job;
    # None: not frozen yet (create_job reads the dictionary as it is then).
    pronunciations: dict[str, str] | None = None
    formats: tuple[str, ...] | None = None  # the API's wanted outputs; None lists every output
    callback_url: str = ""
    source: str = ""  # "compat": a drop-in endpoint's synchronous speech
    prepare_storyboard: bool = False  # an audio job that also builds the storyboard to edit
    storyboard: dict[str, Any] | None = None  # the edited storyboard a video renders (storage names)
    storyboard_of: str = ""  # public id of the job whose narration (and its payment) that storyboard reuses
    regenerate_blocks: tuple[int, ...] = ()  # blocks synthesised afresh, skipping the speech cache
    # The campaign's brand kit.
    brand: Brand | None = None
    zoom: bool | None = None
    transition: str | None = None
    constant_frame_rate: bool = False  # every frame stored (for editors and platforms that want CFR)
    caption_style: dict[str, Any] | None = None  # CAPTION_FIELDS only
    burn_captions: bool = True  # False: no captions drawn in the video (SRT/VTT still delivered)
    logo: str = ""
    music: str = ""
    # AI video (renders/visuals.py): made for scenes no other source filled; a talking avatar on the first.
    ai_video: bool = False
    avatar_intro: bool = False

    def __post_init__(self) -> None:
        if self.aspect is not None and self.aspect not in ASPECTS:
            raise InvalidRenderOptions(f"aspect must be one of {', '.join(ASPECTS)}, not {self.aspect!r}")
        if self.height is not None and (isinstance(self.height, bool) or not isinstance(self.height, int)):
            raise InvalidRenderOptions(f"height must be a whole number of pixels, not {self.height!r}")
        if self.height is not None and self.height <= 0:
            raise InvalidRenderOptions(f"height must be a positive number of pixels, not {self.height}")
        if self.transition is not None and self.transition not in TRANSITIONS:
            raise InvalidRenderOptions(f"transition must be one of {', '.join(TRANSITIONS)}, not {self.transition!r}")
        if not isinstance(self.constant_frame_rate, bool):
            raise InvalidRenderOptions(f"constant_frame_rate must be true or false, not {self.constant_frame_rate!r}")
        if unknown := set(self.caption_style or {}) - set(CAPTION_FIELDS):
            raise InvalidRenderOptions(f"caption_style has no setting {sorted(unknown)[0]!r}")
        caption_style = self.caption_style or {}
        if caption_style.get("preset", PRESETS[0]) not in PRESETS:
            raise InvalidRenderOptions(f"caption preset must be one of {', '.join(PRESETS)}")
        if caption_style.get("platform", "any") not in PLATFORMS:
            raise InvalidRenderOptions(f"caption platform must be one of {', '.join(PLATFORMS)}")
        for name in ("ai_video", "avatar_intro"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidRenderOptions(f"{name} must be true or false, not {getattr(self, name)!r}")
        if not isinstance(self.burn_captions, bool):
            raise InvalidRenderOptions(f"burn_captions must be true or false, not {self.burn_captions!r}")
        if self.pronunciations is not None and not (
            isinstance(self.pronunciations, dict)
            and all(isinstance(item, str) for pair in self.pronunciations.items() for item in pair)
        ):
            raise InvalidRenderOptions("pronunciations must map written words to how they are said")
        if not all(isinstance(index, int) and index >= 0 for index in self.regenerate_blocks):
            raise InvalidRenderOptions("regenerate_blocks must list block numbers")

    # --- JSON ---------------------------------------------------------------------------------------
    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RenderOptions":
        """Options as stored on a job; names this type does not know are ignored. Raises InvalidRenderOptions."""
        if not isinstance(data, dict):
            raise InvalidRenderOptions("options must be a JSON object")
        known = {f.name for f in fields(cls)}
        values = {name: value for name, value in data.items() if name in known}
        try:
            if brand := values.get("brand"):
                values["brand"] = Brand(
                    primary=brand["primary"],
                    secondary=brand["secondary"],
                    gradient=brand["gradient"],
                    motion=brand.get("motion", True),  # jobs stored before moving looks: they move now
                )
            for name in ("formats", "regenerate_blocks"):
                if values.get(name) is not None:
                    values[name] = tuple(values[name])
        except (KeyError, TypeError) as error:
            raise InvalidRenderOptions(f"options cannot be read: {error}") from None
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        """What differs from the defaults, and always the language and what admission decided (height,
        watermark, voices): stored jobs stay small and read like what was asked."""
        data: dict[str, Any] = {}
        for option in fields(self):
            value = getattr(self, option.name)
            default = option.default_factory() if option.default is MISSING else option.default
            if value is None or (value == default and option.name not in ALWAYS_STORED):
                continue
            if isinstance(value, Brand):
                value = asdict(value)
                if value["motion"]:  # the default, and how jobs stored before it read
                    del value["motion"]
            elif isinstance(value, tuple):
                value = list(value)
            data[option.name] = value
        return data

    # --- What jobs derive from each other ------------------------------------------------------------
    def with_changes(self, **changes: Any) -> "RenderOptions":
        return replace(self, **changes)

    def with_captions(
        self, *, preset: str | None = None, platform: str | None = None, burn: bool | None = None
    ) -> "RenderOptions":
        """These options with a request's caption choices (None keeps what the campaign chose)."""
        style = dict(self.caption_style or {})
        if preset is not None:
            style["preset"] = preset
        if platform is not None:
            style["platform"] = platform
        return replace(
            self,
            caption_style=style or None,
            burn_captions=self.burn_captions if burn is None else burn,
        )

    def for_regeneration(self, *indices: int) -> "RenderOptions":
        """A job like this one whose blocks `indices` are said afresh, with the dictionary as it is now (a unit
        whose respelling changed is said afresh too; the others come from the speech cache)."""
        return replace(self, regenerate_blocks=tuple(indices), pronunciations=None)

    def for_storyboard_video(self, storyboard: dict[str, Any], prepared_job: str) -> "RenderOptions":
        """The video of an edited storyboard: this job's look and voices, its narration reused (so no
        regenerated blocks, which would change the timings)."""
        return replace(
            self,
            prepare_storyboard=False,
            regenerate_blocks=(),
            storyboard=storyboard,
            storyboard_of=prepared_job,
        )

    @property
    def narration_paid_before(self) -> bool:
        """A storyboard's video reuses narration its "Prepare storyboard" job paid for. Set by the server
        (`for_storyboard_video`), never from a request. A regenerated block is narration said afresh, so a
        storyboard video that regenerates one pays for its narration."""
        return bool(self.storyboard_of) and not self.regenerate_blocks

    def look(self) -> dict[str, Any]:
        """RenderContext keyword arguments for the look; options a job does not set keep the defaults."""
        look: dict[str, Any] = {"prepare_storyboard": self.prepare_storyboard, "watermark": self.watermark}
        if self.brand is not None:
            look["brand"] = self.brand
        if self.zoom is not None:
            look["zoom"] = self.zoom
        if self.transition is not None:
            look["transition"] = self.transition
        if self.constant_frame_rate:
            look["constant_frame_rate"] = True
        if self.caption_style:
            look["caption_style"] = CaptionStyle(**self.caption_style)
        if not self.burn_captions:
            look["burn_captions"] = False
        return look


def options_for_script(script: Script, *, aspect: str, prepare_storyboard: bool = False) -> RenderOptions:
    """A script's render options: its language, the chosen aspect, its campaign's brand kit."""
    options = RenderOptions(aspect=aspect, language=script.language, prepare_storyboard=prepare_storyboard)
    campaign = script.campaign
    if campaign is None:
        return options
    font_name, bold = FONT_FACES.get(campaign.font, (campaign.font, False))
    center = campaign.caption_position == Campaign.CaptionPosition.CENTER
    return replace(
        options,
        brand=Brand(primary=campaign.primary_color, secondary=campaign.secondary_color, gradient=campaign.gradient),
        zoom=campaign.zoom,
        transition=campaign.transition,
        caption_style={
            "font_name": font_name,
            "bold": bold,
            "font_size": CAPTION_SIZES[campaign.caption_size],
            "primary_color": campaign.caption_color,
            "highlight_color": campaign.highlight_color,
            "margin_bottom": CENTER_MARGIN if center else BOTTOM_MARGIN,
            "preset": campaign.caption_preset,
            "platform": campaign.caption_platform,
        },
        burn_captions=campaign.burn_captions,
        ai_video=campaign.ai_video,
        avatar_intro=campaign.avatar_intro,
        # Storage names, not paths: the worker copies them into the job's work dir (storage may be remote).
        logo=campaign.logo.name if campaign.logo else "",
        music=campaign.music.name if campaign.music else "",
    )
