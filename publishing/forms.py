from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms

from publishing.models import Connection, Publication
from publishing.publish import publishable_jobs
from renders.models import RenderJob
from scripts.models import Campaign


class SeriesForm(forms.Form):
    name = forms.CharField(max_length=200)
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none())
    file = forms.FileField(help_text="CSV (UTF-8, a header row) or JSON: one row per video.")

    def __init__(self, *args, workspace=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(workspace=workspace)


class ChangesForm(forms.Form):
    note = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class WebhookTargetForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    url = forms.URLField(max_length=500, assume_scheme="https", label="URL")


class ScheduleForm(forms.Form):
    """A finished video, where it goes, and when: a local time in a time zone (stored in UTC)."""

    job = forms.ModelChoiceField(queryset=RenderJob.objects.none(), to_field_name="public_id", label="Video")
    connection = forms.ModelChoiceField(queryset=Connection.objects.none(), label="To")
    when = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), label="At")
    time_zone = forms.CharField(max_length=64, initial="UTC")
    privacy = forms.ChoiceField(choices=Publication.Privacy.choices, initial=Publication.Privacy.PUBLIC)

    def __init__(self, *args, workspace=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job"].queryset = publishable_jobs(workspace)
        self.fields["job"].label_from_instance = lambda job: f"{job.title} ({job.created_at:%Y-%m-%d %H:%M})"
        self.fields["connection"].queryset = Connection.objects.filter(workspace=workspace, disconnected_at=None)

    def clean_time_zone(self) -> ZoneInfo:
        name = self.cleaned_data["time_zone"].strip()
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(f"Unknown time zone {name!r}: use a name like Europe/Paris.") from None

    def clean(self) -> dict:
        data = super().clean()
        when, zone = data.get("when"), data.get("time_zone")
        if when and zone:
            # The form reads the time in the server's zone; the person meant their own.
            data["publish_at"] = when.replace(tzinfo=None).replace(tzinfo=zone)
        return data
