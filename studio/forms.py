from django import forms
from django.conf import settings

from renders.models import RenderJob
from renders.pipeline.context import ASPECTS
from renders.pipeline.script import ScriptError, parse_text
from studio.models import Script

SAMPLE_SCRIPT = """Host: Welcome back to OmniVibe, where scripts become videos.
Guest: Thanks for having me. I wrote this in under a minute.
[pause 0.5s]
Host: Press render, and watch it happen live."""


class ScriptForm(forms.ModelForm):
    class Meta:
        model = Script
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12, "spellcheck": "true"})}
        labels = {"body": "Script"}
        help_texts = {"body": "One line per speaker: 'Host: Hello.' Add pauses with [pause 1s]."}

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        try:
            self.blocks = parse_text(body, max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
        except ScriptError as error:
            raise forms.ValidationError([str(error_line) for error_line in _lines(error)]) from None
        return body


class RenderForm(forms.Form):
    kind = forms.ChoiceField(choices=RenderJob.Kind.choices, initial=RenderJob.Kind.VIDEO)
    aspect = forms.ChoiceField(choices=[(aspect, aspect) for aspect in ASPECTS], initial="9:16")


def _lines(error: ScriptError) -> list[str]:
    return [f"Line {line}: {message}" if line else message[:1].upper() + message[1:] for line, message in error.errors]
