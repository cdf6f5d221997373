from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from renders.pipeline import untrusted
from renders.pipeline.normalize import has_speech
from studio.models import Workspace
from voices.engines import EngineError, available_engines, elevenlabs, piper
from voices.models import Voice
from voices.samples import SampleError, validate_sample
from voices.services import PREVIEW_MAX_CHARS

ENGINE_LABELS = {"piper": "Piper (built in)", "elevenlabs": "ElevenLabs"}
# Form field → engine, so each engine keeps only its own settings.
SETTING_FIELDS = {
    "speed": "piper",
    "pitch": "piper",
    "variation": "piper",
    "stability": "elevenlabs",
    "similarity": "elevenlabs",
}


def _setting(name: str, limits: dict[str, tuple[float, float]], help_text: str) -> forms.FloatField:
    low, high = limits[name]
    return forms.FloatField(
        required=False,
        min_value=low,
        max_value=high,
        help_text=f"{help_text} ({low:g} to {high:g}; blank keeps the default)",
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )


class VoiceForm(forms.ModelForm):
    engine = forms.ChoiceField()
    preset = forms.ChoiceField(
        choices=[(name, name) for name in piper.PRESETS], required=False, label="Piper voice", initial="joe"
    )
    engine_voice_id = forms.CharField(
        max_length=120,
        required=False,
        label="ElevenLabs voice id",
        help_text="Leave blank and upload a sample to clone a new ElevenLabs voice.",
    )
    speed = _setting("speed", piper.LIMITS, "Speaking rate")
    pitch = _setting("pitch", piper.LIMITS, "Pitch")
    variation = _setting("variation", piper.LIMITS, "Expressiveness")
    stability = _setting("stability", elevenlabs.LIMITS, "Stability")
    similarity = _setting("similarity", elevenlabs.LIMITS, "Similarity to the original voice")

    class Meta:
        model = Voice
        fields = ["name", "engine", "engine_voice_id", "language", "sample"]
        help_texts = {
            "name": "Scripts use it as the speaker name, e.g. 'Host: Hello.'",
            "sample": "Optional: a clean recording of 30 s to 5 min (WAV, MP3, M4A, FLAC or OGG, up to 20 MB).",
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.new_sample: UploadedFile | None = None
        engines = available_engines()
        self.fields["engine"].choices = [(name, ENGINE_LABELS.get(name, name)) for name in engines]
        self.offers_elevenlabs = "elevenlabs" in engines
        if self.instance.pk:
            self.initial.update(self.instance.settings)
            if self.instance.engine == "piper":
                self.initial.update(preset=self.instance.engine_voice_id or "joe", engine_voice_id="")

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
        engine = data.get("engine")
        if engine is None:
            return data
        chosen = {name: data.get(name) for name, owner in SETTING_FIELDS.items() if owner == engine}
        self.instance.settings = {name: value for name, value in chosen.items() if value is not None}
        try:
            if engine == "piper":
                data["engine_voice_id"] = data.get("preset") or "joe"
                piper.resolve_settings(data["engine_voice_id"], self.instance.settings)
            elif engine == "elevenlabs":
                elevenlabs.resolve_settings(self.instance.settings)
                if not data.get("engine_voice_id") and not self.new_sample:
                    self.add_error(
                        "engine_voice_id", "Enter an ElevenLabs voice id, or upload a sample to clone a new voice."
                    )
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
