from __future__ import annotations

from django import forms

from storyboard.shares.models import DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS

PASSWORD_MAX = 128


class ShareForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Expires after", coerce=int, initial=DEFAULT_EXPIRY_DAYS,
        choices=[(d, f"{d} day{'s' if d > 1 else ''}") for d in EXPIRY_DAYS],
        error_messages={"invalid_choice": "Expires after: choose 1, 3, 7, 14 or 30 days."})
    password = forms.CharField(
        label="Password (optional)", required=False, max_length=PASSWORD_MAX, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"max_length": f"Password: at most {PASSWORD_MAX} characters."})
    guests_may_decide = forms.BooleanField(label="Guests may approve or request a retake",
                                           required=False)


class PasswordForm(forms.Form):
    password = forms.CharField(label="Password", max_length=PASSWORD_MAX, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
                               error_messages={"required": "Password: enter the password "
                                               "you were given with the link."})
