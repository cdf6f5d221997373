from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse_lazy

from accounts.models import Workspace
from accounts.validators import LANGUAGE_TAG
from mediakit import untrusted
from mediakit import uploads as media
from mediakit.pipeline.context import ASPECTS
from mediakit.text.outline import PLATFORMS
from mediakit.text.pls import MAX_BYTES as MAX_PLS_BYTES
from mediakit.text.script import ScriptError, parse_text, speakers_in_order
from renders.models import RenderJob
from scripts.models import Campaign, Pronunciation, Script
from scripts.pronunciations import MAX_SPOKEN, MAX_WRITTEN
from scripts.selectors import campaigns_of
from voices.models import Voice
from voices.selectors import voices_of
from voices.services import builtin_voice, default_engine, voice_options

SAMPLE_SCRIPT = """Host: Welcome back to OmniVibe, where scripts become videos.
Guest: Thanks for having me. I wrote this in under a minute.
[pause 0.5s]
Host: Press render, and watch it happen live."""


# The script's language: English, Korean and Japanese have their own reading rules (numbers, units); others
# are read as written. A render refuses voices that cannot speak it (Piper's voices speak English only). A tag
# set through the API that is not listed here stays as it is.
LANGUAGES = [
    ("en", "English"),
    ("de", "German"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("it", "Italian"),
    ("nl", "Dutch"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ko", "Korean"),
    ("ja", "Japanese"),
]
AUTOMATIC_VOICE = ("", "Automatic: a library voice named like the speaker, else a built-in one")
SPEAKER_FIELD = "voice__"  # + the speaker's name: picks follow the speaker even when lines move


def speakers_of(body: str) -> list[str]:
    """The script's speakers in order of appearance; none while it does not parse."""
    try:
        return speakers_in_order(parse_text(body, max_chars=settings.RENDER_MAX_SCRIPT_CHARS))
    except ScriptError:
        return []


class SpeakersForm(forms.Form):
    """The speakers panel: a voice picker for each speaker of the script (stored in Script.voices)."""

    def __init__(self, *args: Any, workspace: Workspace, speakers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [AUTOMATIC_VOICE, *voice_options(workspace.pk)]
        for index, speaker in enumerate(speakers):
            self.fields[SPEAKER_FIELD + speaker] = forms.ChoiceField(
                label=speaker,
                choices=choices,
                required=False,
                widget=forms.Select(attrs={"id": f"id_speaker_voice_{index}", "class": "speaker-voice"}),
            )

    def speaker_rows(self) -> list[tuple[str, forms.BoundField]]:
        return [(self.fields[name].label, self[name]) for name in self.fields]

    def chosen(self) -> dict[str, str]:
        """Speaker -> chosen voice, for the speakers given a voice (valid forms only)."""
        return {name.removeprefix(SPEAKER_FIELD): value for name, value in self.cleaned_data.items() if value}


class ScriptForm(forms.ModelForm):
    language = forms.ChoiceField(
        choices=LANGUAGES,
        required=False,  # left out: the script keeps its language (new scripts: the workspace's)
        help_text="English, Korean and Japanese numbers and units are spelled out; other languages are read as "
        "written. Give the speakers a voice that speaks it: the built-in voices speak English only.",
    )

    class Meta:
        model = Script
        fields = ["title", "campaign", "language", "body"]
        widgets = {
            "body": forms.Textarea(
                attrs={
                    "rows": 12,
                    "spellcheck": "true",
                    # The live estimate: the whole form goes to the estimate endpoint as the creator types.
                    "hx-post": reverse_lazy("studio:script_estimate"),
                    "hx-trigger": "load, keyup changed delay:400ms",
                    "hx-target": "#estimate",
                    "hx-swap": "innerHTML",
                }
            )
        }
        labels = {"body": "Script"}
        help_texts = {
            "body": "One line per speaker: 'Host: Hello.' Add pauses with [pause 1s].",
            "campaign": "Renders use the campaign's aspect ratio, brand colours, captions, logo and music.",
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns_of(workspace)
        self.fields["campaign"].empty_label = "No campaign"
        # A new script starts in the workspace's language (its settings page); an existing one keeps its own.
        language = self.instance.language if self.instance.pk else workspace.default_language
        self._unchosen_language = language
        if language and language not in dict(LANGUAGES):  # set through the API or settings: kept, shown as it is
            self.fields["language"].choices = [*LANGUAGES, (language, language)]
        body = self.data.get("body", "") if self.is_bound else (self.instance.body or self.initial.get("body", ""))
        self.speakers = SpeakersForm(
            self.data if self.is_bound else None,
            workspace=workspace,
            speakers=speakers_of(body),
            initial={SPEAKER_FIELD + speaker: choice for speaker, choice in (self.instance.voices or {}).items()},
        )

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or self._unchosen_language or "en"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.speakers.is_valid():
            self.add_error(None, "Choose each speaker's voice from the list (a voice may have been deleted).")
        else:
            self.instance.voices = self.speakers.chosen()
        return cleaned

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        try:
            parse_text(body, max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
        except ScriptError as error:
            raise forms.ValidationError([str(error_line) for error_line in script_error_lines(error)]) from None
        return body


class OutlineForm(forms.Form):
    """The keyless writer's questions (mediakit.text.outline checks the answers)."""

    topic = forms.CharField(max_length=200, help_text="What the video is about, in a few words.")
    platform = forms.ChoiceField(choices=list(PLATFORMS.items()), initial="shorts")
    seconds = forms.IntegerField(label="Length (seconds)", min_value=5, max_value=1800, initial=45)
    tone = forms.CharField(max_length=60, required=False, initial="friendly")
    speakers = forms.CharField(
        max_length=200, required=False, initial="Host", help_text="Names separated by commas, up to four."
    )


class LibraryFilterForm(forms.Form):
    """The library's search box and filters (GET); a bad value is shown as a form error and ignored."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False, empty_label="All campaigns")
    status = forms.ChoiceField(required=False, choices=[("", "All statuses"), *RenderJob.Status.choices])

    def __init__(self, *args: Any, workspace: Workspace, statuses: bool, campaigns: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns_of(workspace)
        if not statuses:
            del self.fields["status"]
        if not campaigns:  # the campaigns page itself
            del self.fields["campaign"]

    def _cleaned(self) -> dict[str, Any]:
        if not self.is_valid():
            return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return self.cleaned_data

    def script_filters(self) -> dict[str, Any]:
        data = self._cleaned()
        campaign = data.get("campaign")
        return {"query": (data.get("q") or "").strip(), "campaign_id": campaign.pk if campaign else None}

    def job_filters(self) -> dict[str, Any]:
        return {**self.script_filters(), "status": self._cleaned().get("status") or ""}


class EstimateForm(forms.Form):
    """What the editor sends as the creator types (the whole script form; only these fields are read)."""

    body = forms.CharField(max_length=settings.RENDER_MAX_SCRIPT_CHARS, strip=False)
    language = forms.CharField(max_length=10, required=False, validators=[LANGUAGE_TAG])


class RenderForm(forms.Form):
    kind = forms.ChoiceField(choices=RenderJob.Kind.choices, initial=RenderJob.Kind.VIDEO)
    aspect = forms.ChoiceField(choices=[(aspect, aspect) for aspect in ASPECTS], initial="9:16")
    ai_video = forms.BooleanField(required=False, label="AI video for scenes without stock footage")
    avatar_intro = forms.BooleanField(required=False, label="Avatar intro scene")
    # This render's captions; blank keeps the campaign's (or the defaults without a campaign).
    caption_preset = forms.ChoiceField(
        choices=[("", "Caption style: the campaign's"), *Campaign.CaptionPreset.choices], required=False
    )
    caption_platform = forms.ChoiceField(
        choices=[("", "Clear of: the campaign's platform"), *Campaign.CaptionPlatform.choices], required=False
    )
    burn_captions = forms.ChoiceField(
        choices=[("", "Burned in: as the campaign"), ("on", "Captions drawn"), ("off", "No captions drawn")],
        required=False,
        help_text="The SRT and VTT files come either way.",
    )
    constant_frame_rate = forms.BooleanField(
        required=False,
        label="Constant 30 fps",
        help_text="Every frame stored: a bigger file, for editors and platforms that want a constant frame rate.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        say_when_ai_video_is_off(self)

    def caption_choices(self) -> dict[str, Any]:
        """`RenderOptions.with_captions` arguments: None keeps the campaign's choice."""
        data = self.cleaned_data
        return {
            "preset": data["caption_preset"] or None,
            "platform": data["caption_platform"] or None,
            "burn": {"on": True, "off": False}.get(data["burn_captions"]),
        }


def say_when_ai_video_is_off(form: forms.BaseForm) -> None:
    """Off without keys: the boxes stay visible and say why (a render that asks anyway notes it)."""
    if not settings.RUNWAY_API_KEY:
        form.fields["ai_video"].disabled = True
        form.fields["ai_video"].help_text = "off: RUNWAY_API_KEY is not set"
    if not (settings.HEYGEN_API_KEY and settings.HEYGEN_AVATAR_ID):
        form.fields["avatar_intro"].disabled = True
        form.fields["avatar_intro"].help_text = "off: HEYGEN_API_KEY and HEYGEN_AVATAR_ID are not set"


COLOR_INPUT = forms.TextInput(attrs={"type": "color"})


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "aspect",
            "primary_color",
            "secondary_color",
            "gradient",
            "font",
            "logo",
            "caption_size",
            "caption_color",
            "highlight_color",
            "caption_position",
            "caption_preset",
            "caption_platform",
            "burn_captions",
            "music",
            "zoom",
            "transition",
            "ai_video",
            "avatar_intro",
            "auto_approve",
            "brand_notes",
        ]
        widgets = {
            "primary_color": COLOR_INPUT,
            "secondary_color": COLOR_INPUT,
            "caption_color": COLOR_INPUT,
            "highlight_color": COLOR_INPUT,
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
            "music": forms.ClearableFileInput(attrs={"accept": "audio/*"}),
            "brand_notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"caption_color": "Caption colour", "highlight_color": "Current word colour"}
        help_texts = {
            "logo": "PNG or JPEG, 32 to 4096 pixels a side, up to 5 MB; shown in a corner of every video.",
            "music": "WAV, MP3, M4A, FLAC or OGG, up to 10 minutes and 20 MB; looped and ducked under the voices.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Older forms (and API-like posts) that do not send the caption style keep the model's defaults.
        for name in ("caption_preset", "caption_platform"):
            self.fields[name].required = False
        say_when_ai_video_is_off(self)

    def clean_caption_preset(self) -> str:
        return self.cleaned_data.get("caption_preset") or Campaign.CaptionPreset.HIGHLIGHT

    def clean_caption_platform(self) -> str:
        return self.cleaned_data.get("caption_platform") or Campaign.CaptionPlatform.ANY

    def clean_logo(self) -> Any:
        return _checked(self.cleaned_data.get("logo"), lambda file: media.validate_image(file, media.LOGO))

    def clean_music(self) -> Any:
        return _checked(self.cleaned_data.get("music"), media.validate_music)


def _checked(file: Any, validate: Callable[[UploadedFile], object]) -> Any:
    """Decode a new upload before it is stored; a file already stored was checked when it came in."""
    if isinstance(file, UploadedFile):
        try:
            validate(file)
        except media.MediaError as error:
            raise forms.ValidationError(str(error)) from None
        file.name = untrusted.named_by_content(file.name, file)
    return file


def script_error_lines(error: ScriptError) -> list[str]:
    return [f"Line {line}: {message}" if line else message[:1].upper() + message[1:] for line, message in error.errors]


class PronunciationForm(forms.Form):
    """An entry's fields; `scripts.pronunciations.save_pronunciation` checks it (its refusals become errors)."""

    written = forms.CharField(
        max_length=MAX_WRITTEN,
        label="Written",
        help_text="The word or phrase as your scripts write it; any case.",
        widget=forms.TextInput(attrs={"placeholder": "Acme"}),
    )
    spoken = forms.CharField(
        max_length=MAX_SPOKEN,
        label="Say it as",
        help_text="A respelling the voice reads the way you mean it (Ack-mee), or IPA phonemes (ˈækmi). "
        "Captions still show the written word.",
        widget=forms.TextInput(attrs={"placeholder": "Ack-mee"}),
    )
    kind = forms.ChoiceField(
        choices=Pronunciation.Kind.choices,
        initial=Pronunciation.Kind.RESPELLING,
        required=False,  # a respelling unless said otherwise, as in the API
        label="Written as",
        help_text="Phonemes are said exactly by the built-in voices; other voices get them as their vendor's "
        "phoneme rules.",
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(),
        required=False,
        empty_label="Every script",
        help_text="A campaign's entry replaces the workspace's for its scripts.",
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns_of(workspace)

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or Pronunciation.Kind.RESPELLING

    @classmethod
    def for_entry(cls, entry: Pronunciation, data: Any = None) -> "PronunciationForm":
        initial = {"written": entry.written, "spoken": entry.spoken, "kind": entry.kind, "campaign": entry.campaign}
        return cls(data, workspace=entry.workspace, initial=initial)


class DictionaryForm(forms.Form):
    """Which dictionary a PLS file comes from or goes to: the workspace's, or a campaign's."""

    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(), required=False, empty_label="Every script", label="Dictionary"
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns_of(workspace)


class PlsImportForm(DictionaryForm):
    file = forms.FileField(
        label="PLS file",
        help_text=f"A W3C pronunciation lexicon (.pls) with <grapheme> and <alias>, up to {MAX_PLS_BYTES // 1024} KB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pls,.xml,application/pls+xml"}),
    )

    def clean_file(self) -> bytes:
        """The file's bytes, read no further than the limit."""
        data = self.cleaned_data["file"].read(MAX_PLS_BYTES + 1)
        if len(data) > MAX_PLS_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_PLS_BYTES // 1024} KB.")
        return data


class HearForm(forms.Form):
    """Which voice says a respelling: one of the library's, or a built-in one."""

    voice = forms.ChoiceField(label="Voice")

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.library = {str(voice.pk): voice for voice in voices_of(workspace).order_by("name")}
        builtin = [(f"builtin:{choice}", f"{choice} (built-in)") for choice in default_engine().voice.choices]
        library = [(pk, voice.name) for pk, voice in self.library.items()]
        self.fields["voice"].choices = [("Your voices", library), ("Built-in", builtin)] if library else builtin

    def chosen_voice(self) -> Voice:
        choice = self.cleaned_data["voice"]
        return self.library[choice] if choice in self.library else builtin_voice(choice.removeprefix("builtin:"))


class WorkspaceSettingsForm(forms.Form):
    """The workspace's settings page: its name, and what new scripts start with."""

    name = forms.CharField(max_length=120, help_text="Your team's or client's name: every member sees it.")
    default_language = forms.CharField(
        max_length=10,
        validators=[LANGUAGE_TAG],
        label="Language of new scripts",
        help_text="A language tag like 'en' or 'de-DE'; each script can change its own.",
    )
    default_campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(),
        required=False,
        empty_label="No campaign",
        label="Campaign of new scripts",
        help_text="New scripts (in the Studio and over the API) start in it, with its brand kit.",
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_campaign"].queryset = campaigns_of(workspace)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("The name cannot be blank.")
        return name
