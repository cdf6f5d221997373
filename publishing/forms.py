from django import forms

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
