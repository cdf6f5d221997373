from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.forms import BoundField

from accounts.models import Workspace
from mediakit import untrusted
from mediakit.speech.engines import Engine, EngineError, SettingField, check_settings
from mediakit.speech.samples import SampleError, validate_sample
from mediakit.text.normalize import has_speech
from voices.engine_context import engine_context
from voices.models import Voice
from voices.services import PREVIEW_MAX_CHARS, offered_engines


def field_name(engine: Engine, setting: SettingField) -> str:
    """Each engine's fields live under its own prefix ("piper-speed"), so two engines may share a setting name."""
    return f"{engine.name}-{setting.name}"


def _form_field(setting: SettingField) -> forms.Field:
    """The form field a SettingField describes: a number within its limits, a choice, or text."""
    if setting.kind == "choice":
        return forms.ChoiceField(
            choices=[(choice, choice) for choice in setting.choices],
            required=False,
            label=setting.label,
            initial=setting.default,
            help_text=setting.help,
        )
    if setting.kind == "text":
        return forms.CharField(max_length=120, required=False, label=setting.label, help_text=setting.help)
    low, high = setting.minimum, setting.maximum
    return forms.FloatField(
        required=False,
        min_value=low,
        max_value=high,
        label=setting.label,
        help_text=f"{setting.help or setting.label} ({low:g} to {high:g}; blank keeps the default)",
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )


@dataclass
class EngineSection:
    """One engine's part of the form, as the template shows it: its label, its voice field, its settings."""

    label: str
    voice: BoundField
    settings: list[BoundField]


class VoiceForm(forms.ModelForm):
    """A library voice. The engine list, each engine's voice field and its settings come from the engine
    registry's schema: adding an engine adds its fields here, with no change to this form."""

    engine = forms.ChoiceField()

    class Meta:
        model = Voice
        fields = ["name", "engine", "language", "sample"]
        help_texts = {
            "name": "Scripts use it as the speaker name, e.g. 'Host: Hello.'",
            "sample": "Optional: a clean recording of 30 s to 5 min (WAV, MP3, M4A, FLAC or OGG, up to 20 MB).",
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.new_sample: UploadedFile | None = None
        self.engines = {engine.name: engine for engine in offered_engines()}
        self.fields["engine"].choices = [(name, engine.label) for name, engine in self.engines.items()]
        for engine in self.engines.values():
            for setting in (engine.voice, *engine.settings):
                self.fields[field_name(engine, setting)] = _form_field(setting)
        if self.instance.pk and self.instance.engine in self.engines:
            engine = self.engines[self.instance.engine]
            self.initial[field_name(engine, engine.voice)] = self.instance.engine_voice_id or engine.voice.default
            for name, value in self.instance.settings.items():
                self.initial[f"{engine.name}-{name}"] = value

    @property
    def engine_sections(self) -> list[EngineSection]:
        return [
            EngineSection(
                engine.label,
                self[field_name(engine, engine.voice)],
                [self[field_name(engine, setting)] for setting in engine.settings],
            )
            for engine in self.engines.values()
        ]

    def add_voice_error(self, message: str) -> None:
        """An error about the voice id, shown at the chosen engine's voice field."""
        engine = self.engines[self.cleaned_data["engine"]]
        self.add_error(field_name(engine, engine.voice), message)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        # Scripts match speakers to voices ignoring case, so names must differ in more than case.
        taken = Voice.objects.filter(workspace=self.workspace, name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("This workspace already has a voice with this name.")
        return name

    def clean_sample(self) -> Any:
        sample = self.cleaned_data.get("sample")
        if isinstance(sample, UploadedFile):  # a new upload; a stored sample was checked when it came in
            try:
                validate_sample(sample, max_bytes=settings.VOICE_SAMPLE_MAX_BYTES)
            except SampleError as error:
                raise forms.ValidationError(str(error)) from None
            sample.name = untrusted.named_by_content(sample.name, sample)
            self.new_sample = sample
        return sample

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        engine = self.engines.get(data.get("engine", ""))
        if engine is None:
            return data
        voice_field = field_name(engine, engine.voice)
        voice_id = data.get(voice_field) or engine.voice.default or ""
        chosen = {setting.name: data.get(field_name(engine, setting)) for setting in engine.settings}
        self.instance.engine_voice_id = voice_id
        self.instance.settings = {name: value for name, value in chosen.items() if value is not None}
        if not voice_id and engine.clones_from_sample and not self.new_sample:
            self.add_error(voice_field, f"Enter the {engine.voice.label}, or upload a sample to clone a new voice.")
        try:
            check_settings(engine.name, voice_id, self.instance.settings, engine_context())
        except EngineError as error:
            raise forms.ValidationError(as_sentence(error)) from None
        return data


def as_sentence(error: Exception) -> str:
    """Engine messages start lower-case (they are also quoted mid-sentence in job errors)."""
    message = str(error)
    return message[:1].upper() + message[1:]


class PreviewForm(forms.Form):
    text = forms.CharField(
        max_length=PREVIEW_MAX_CHARS,
        required=False,
        label="Preview text",
        widget=forms.TextInput(attrs={"placeholder": "Hi, this is how I sound.", "maxlength": PREVIEW_MAX_CHARS}),
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if text.strip() and not has_speech(text):
            raise forms.ValidationError("Write some words to hear: emoji and punctuation alone are not read.")
        return text
