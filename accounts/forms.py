from django import forms

from accounts.models import Membership, Workspace


class WorkspaceForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name"]
        help_texts = {"name": "Your team's or client's name: every member sees it."}


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", help_text="They join when they sign in (or sign up) with it.")
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.EDITOR)


class DeleteWorkspaceForm(forms.Form):
    # Not "name": the settings form on the same page has that field (and its id).
    confirmation = forms.CharField(label="Type the workspace's name to confirm", max_length=120)
