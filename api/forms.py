from django import forms


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What uses this key, e.g. 'CI' or 'Zapier'.")
    expires_days = forms.IntegerField(
        min_value=1, max_value=3650, required=False, label="Expires after (days)", help_text="Blank: never."
    )
