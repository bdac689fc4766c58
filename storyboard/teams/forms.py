from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import UsernameField

from storyboard.teams.models import CAP_DIGITS, CAP_PLACES
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


def _sandbox_help() -> str:
    from storyboard.providers import http

    if http.any_sandbox_allowed():
        return "This server lets sandbox accounts use any address."
    root = http.sandbox_root()
    if not root:
        return "This server runs no sandbox, so leave this unticked."
    return f"Only with a base URL under this server's sandbox, {root}."


class ProviderAccountForm(forms.Form):
    """One form for every vendor. The credential fields and the VIP box come from the vendor
    packages (storyboard/providers/registry.py): each carries `data-dialects`, the vendors that
    use it, which account_form.js reads to show only the chosen vendor's fields. Without the
    script every field shows, and the server ignores the ones the vendor does not use."""

    dialect = forms.ChoiceField(label="Service")
    label = forms.CharField(label="Label", max_length=60,
                            help_text="How this account is named in the editor and job lists.")
    base_url = forms.CharField(label="Base URL", required=False, max_length=300,
                               help_text="Leave empty for the vendor's own address.")
    max_jobs = forms.IntegerField(label="Concurrent jobs", min_value=1, max_value=50,
                                  initial=2)
    vip = forms.BooleanField(label="VIP plan", required=False)
    sandbox = forms.BooleanField(label="Sandbox (the local simulator)", required=False)
    monthly_cap = forms.DecimalField(
        label="Monthly spending cap", required=False, min_value=0,
        max_value=10 ** (CAP_DIGITS - CAP_PLACES) - 1, max_digits=CAP_DIGITS,
        decimal_places=CAP_PLACES, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="Estimated spend on this account per calendar month, in the rate card's "
                  "unit; empty for no cap. A submission that would pass it is refused before "
                  "anything is sent (the team's own cap is on Team settings → Usage).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from storyboard.providers import registry

        self.fields["dialect"].choices = list(registry.LABELS.items())
        self.fields["sandbox"].help_text = _sandbox_help()
        vip_users = [cls for cls in registry.PROVIDERS.values() if cls.vip_plan]
        vip = self.fields["vip"]
        vip.label = f"VIP plan — {', '.join(cls.label for cls in vip_users)}"
        vip.widget.attrs["data-dialects"] = " ".join(cls.dialect for cls in vip_users)
        fields = {name: self.fields.pop(name) for name in ("dialect", "label")}
        fields.update((name, credential_field(name)) for name in registry.credential_names())
        fields.update(self.fields)
        self.fields = fields

    def credentials(self) -> dict[str, str]:
        from storyboard.providers.registry import credential_names

        return {name: self.cleaned_data.get(name) or "" for name in credential_names()}


def credential_field(name: str) -> forms.CharField:
    """The form field for one credential name, shared by every vendor that uses it."""
    from storyboard.providers.registry import credential_users

    users = credential_users(name)
    first = users[0][1]
    who = ", ".join(cls.label + ("" if f.required else ", optional") for cls, f in users)
    widget = (forms.PasswordInput(render_value=False) if any(f.secret for _, f in users)
              else forms.TextInput())
    widget.attrs["data-dialects"] = " ".join(cls.dialect for cls, _ in users)
    return forms.CharField(label=f"{first.label} — {who}", required=False, max_length=500,
                           widget=widget)
