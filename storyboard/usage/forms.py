from django import forms

from storyboard.teams.models import CAP_DIGITS, CAP_PLACES
from storyboard.usage.report import DEFAULT_PERIOD, PERIODS

CAP_MAX = 10 ** (CAP_DIGITS - CAP_PLACES) - 1


class PeriodForm(forms.Form):
    weeks = forms.TypedChoiceField(
        label="Period", coerce=int, initial=DEFAULT_PERIOD,
        choices=[(n, f"Last {n} weeks") for n in PERIODS],
        error_messages={"invalid_choice": "choose the last 4, 12 or 52 weeks (got “%(value)s”)."})


def cap_field(label: str) -> forms.DecimalField:
    """A monthly cap in the rate card's unit; empty means no cap."""
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_value=CAP_MAX, max_digits=CAP_DIGITS,
        decimal_places=CAP_PLACES, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="In the rate card's unit, for each calendar month; empty for no cap. A "
                  "submission that would pass it is refused before anything is sent.")


class TeamCapForm(forms.Form):
    monthly_cap = cap_field("Team monthly cap")
