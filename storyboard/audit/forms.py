"""The audit page's filter bar: person, kind and a date range, from the query string. A bad
value is named with its field and the filters are not applied (the page says so)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from storyboard.audit.models import AuditEvent

DATE_HELP = "A day, e.g. 2025-03-14."


class AuditFilterForm(forms.Form):
    person = forms.TypedChoiceField(label="Person", required=False, coerce=int,
                                    empty_value=None)
    kind = forms.ChoiceField(label="What", required=False,
                             choices=[("", "Anything"), *AuditEvent.Kind.choices])
    start = forms.DateField(label="From", required=False, input_formats=["%Y-%m-%d"],
                            help_text=DATE_HELP, widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": "not a date; use the form 2025-03-14."})
    end = forms.DateField(label="To", required=False, input_formats=["%Y-%m-%d"],
                          help_text=DATE_HELP, widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"invalid": "not a date; use the form 2025-03-14."})

    def __init__(self, team, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Everyone in the team now, and everyone who acted in it before (a removed member).
        acted = (AuditEvent.objects.filter(team=team, actor__isnull=False)
                 .values("actor").distinct())
        people = (get_user_model().objects.filter(memberships__team=team)
                  | get_user_model().objects.filter(pk__in=acted)).distinct()
        self.fields["person"].choices = [("", "Anyone"), *(
            (u.pk, u.get_username()) for u in people.order_by("username"))]
        for name in ("person", "kind"):
            self.fields[name].error_messages["invalid_choice"] = "choose one from the list."

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(f"Dates: “From” ({start}) is after “To” ({end}).")
        return data

    def apply(self, events):
        """`events` narrowed by the valid filters (call after is_valid())."""
        data = self.cleaned_data
        if data.get("person"):
            events = events.filter(actor_id=data["person"])
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        zone = timezone.get_current_timezone()
        if data.get("start"):
            events = events.filter(
                created_at__gte=datetime.combine(data["start"], time.min, zone))
        if data.get("end"):  # the whole of the last day
            events = events.filter(
                created_at__lt=datetime.combine(data["end"] + timedelta(days=1), time.min, zone))
        return events

    def errors_text(self) -> list[str]:
        out = list(self.non_field_errors())
        for name, errors in self.errors.items():
            if name != "__all__":
                out += [f"{self.fields[name].label}: {e}" for e in errors]
        return out
