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
