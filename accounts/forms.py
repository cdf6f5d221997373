from django import forms

from accounts.models import Workspace


class WorkspaceForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name"]
        help_texts = {"name": "Your team's or client's name: every member sees it."}
