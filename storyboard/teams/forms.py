from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import UsernameField

from storyboard.teams.roles import Role


class TeamNameForm(forms.Form):
    name = forms.CharField(label="Team name", max_length=80)


class InvitationForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.EDITOR)
    note = forms.CharField(
        label="Note (who it is for)", max_length=120, required=False,
        help_text="Only the team's owners see it.",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class SwitchTeamForm(forms.Form):
    team = forms.IntegerField(label="Team")


class SignUpForm(forms.Form):
    username = UsernameField(label="Username", max_length=150)
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            try:
                password_validation.validate_password(first)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProviderAccountForm(forms.Form):
    """One form for every dialect; the credential fields a dialect does not use are ignored."""

    dialect = forms.ChoiceField(label="Service")
    label = forms.CharField(label="Label", max_length=60,
                            help_text="How this account is named in the editor and job lists.")
    token = forms.CharField(label="API token (useapi.net)", required=False, max_length=500,
                            widget=forms.PasswordInput(render_value=False))
    email = forms.CharField(label="Kling account email (useapi.net, optional)", required=False,
                            max_length=254)
    access_key = forms.CharField(label="Access key (Kling)", required=False, max_length=500,
                                 widget=forms.PasswordInput(render_value=False))
    secret_key = forms.CharField(label="Secret key (Kling)", required=False, max_length=500,
                                 widget=forms.PasswordInput(render_value=False))
    api_key = forms.CharField(label="API key (CometAPI, APIMart)", required=False,
                              max_length=500, widget=forms.PasswordInput(render_value=False))
    base_url = forms.CharField(label="Base URL", required=False, max_length=300,
                               help_text="Leave empty for the vendor's own address.")
    max_jobs = forms.IntegerField(label="Concurrent jobs", min_value=1, max_value=50,
                                  initial=2)
    vip = forms.BooleanField(label="VIP plan (useapi.net)", required=False)
    sandbox = forms.BooleanField(label="Sandbox (the local simulator)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from storyboard.providers.registry import LABELS

        self.fields["dialect"].choices = list(LABELS.items())
