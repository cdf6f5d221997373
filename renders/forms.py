from typing import Any

from django import forms
from django.conf import settings

from mediakit import untrusted
from mediakit import uploads as media
from mediakit.video.looks import NAMES as LOOK_NAMES
from mediakit.video.storyboard import LAYOUTS, Scene, StoryboardError
from renders.storyboards import SceneEdit

BACKGROUND_CHOICES = [
    ("color", "Colour"),
    ("gradient", "Gradient"),
    ("image", "Picture"),
    ("video", "Video clip"),
    ("motion", "Moving look"),
]
LOOK_CHOICES = [(name, name.capitalize()) for name in LOOK_NAMES]
COLOR_INPUT = forms.TextInput(attrs={"type": "color"})
LAYOUT_CHOICES = [("captions-bottom", "At the bottom"), ("captions-center", "In the centre")]


class SceneForm(forms.Form):
    """One scene row of the storyboard editor; colours and the whole scene are checked by `Storyboard.from_json`."""

    kind = forms.ChoiceField(choices=BACKGROUND_CHOICES, label="Background")
    color = forms.CharField(required=False, widget=COLOR_INPUT, label="Colour")
    color2 = forms.CharField(required=False, widget=COLOR_INPUT, label="Second colour")
    file = forms.FileField(
        required=False,
        label="Picture or clip",
        help_text="PNG, JPEG or WebP pictures; MP4, MOV or WebM clips up to 2 minutes; up to 50 MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/webp,video/mp4,video/quicktime,video/webm"}
        ),
    )
    look = forms.ChoiceField(choices=LOOK_CHOICES, required=False, label="Look", help_text="For a moving look.")
    title = forms.CharField(required=False, label="Title")
    zoom = forms.BooleanField(required=False, label="Zoom")
    layout = forms.ChoiceField(choices=LAYOUT_CHOICES, required=False, label="Captions")
    ai_video = forms.BooleanField(
        required=False,
        label="Make with AI video",
        help_text="When the video renders, a clip is made from this scene's words (counted in the plan's AI video "
        "seconds); if that fails the scene keeps the look above.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not settings.RUNWAY_API_KEY:  # off without a key, and the box says so
            self.fields["ai_video"].disabled = True
            self.fields["ai_video"].help_text = "off: RUNWAY_API_KEY is not set"

    @classmethod
    def for_scene(cls, scene: Scene, prefix: str) -> "SceneForm":
        colors = scene.background.colors or ("#1e293b",)
        initial = {
            "kind": scene.background.kind,
            "color": colors[0],
            "color2": colors[-1],
            "look": scene.background.look or LOOK_NAMES[0],
            "title": scene.title or "",
            "zoom": scene.zoom,
            "layout": scene.layout,
            "ai_video": scene.ai_video,
        }
        return cls(initial=initial, prefix=prefix)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload, kind = data.get("file"), data.get("kind")
        try:
            if upload and kind == "image":
                media.validate_image(upload)
            elif upload and kind == "video":
                media.validate_clip(upload)
        except media.MediaError as error:
            self.add_error("file", str(error))
        else:
            if upload and kind in ("image", "video"):
                upload.name = untrusted.named_by_content(upload.name, upload)
        return data

    def edit(self) -> SceneEdit:
        data = self.cleaned_data
        colors = [data["color"]] if data["kind"] == "color" else [data["color"], data["color2"]]
        upload = data["file"] if data["kind"] in ("image", "video") else None
        look = (data.get("look") or LOOK_NAMES[0]) if data["kind"] == "motion" else None
        return SceneEdit(
            kind=data["kind"],
            colors=colors,
            title=data["title"],
            zoom=data["zoom"],
            upload=upload,
            look=look,
            layout=data.get("layout") or LAYOUTS[0],
            ai_video=data.get("ai_video", False),
        )

    def add_storyboard_error(self, error: StoryboardError) -> None:
        """Show the storyboard's complaint next to the field it names."""
        message = str(error)
        if ".path" in message:
            wanted = "a picture" if self.cleaned_data["kind"] == "image" else "a video clip"
            self.add_error("file", f"Upload {wanted} for this scene's background.")
        elif ".colors" in message:
            self.add_error("color", message.split(": ", 1)[-1].replace("background.colors: ", ""))
        elif ": title" in message:
            self.add_error("title", "Keep the title to 120 characters or fewer.")
        else:
            self.add_error(None, message)


class LibraryUploadForm(forms.Form):
    """A picture or clip for the workspace's media library, checked like every scene upload
    (mediakit/uploads.py); the kind is told by content, never by the file name."""

    file = forms.FileField(
        label="Picture or clip",
        help_text="PNG, JPEG or WebP pictures; MP4, MOV or WebM clips up to 2 minutes; up to 50 MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/webp,video/mp4,video/quicktime,video/webm"}
        ),
    )
    tags = forms.CharField(
        required=False, max_length=400, help_text="Comma separated; the file name's words are added."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        head = upload.read(64)
        upload.seek(0)
        try:
            fmt = untrusted.sniff(head)
        except untrusted.Refused:
            fmt = None
        try:
            if fmt in media.CLIP_FORMATS:
                data["duration"] = media.validate_clip(upload)
                upload.seek(0)
                clip = untrusted.read_clip(upload, max_seconds=media.BACKGROUND_CLIP.max_seconds)
                data["kind"], data["width"], data["height"] = "video", clip.width, clip.height
            else:  # a picture, or something to be refused in a picture's words
                data["width"], data["height"] = media.validate_image(upload)
                data["kind"], data["duration"] = "photo", 0.0
        except (media.MediaError, untrusted.Refused) as error:
            self.add_error("file", str(error))
        upload.seek(0)
        return data


class LibraryTagsForm(forms.Form):
    tags = forms.CharField(required=False, max_length=400)
