"""Input of the sequence pages, parsed before any action runs."""

from __future__ import annotations

from django import forms

from storyboard.sequences.models import TITLE_MAX

_ID_MAX = 10**12  # larger ids are typos or probes: refused by the form, never looked up


class TitleForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX, strip=True, error_messages={
        "required": "Title: give the sequence a title.",
        "max_length": f"Title: at most {TITLE_MAX} characters."})


class StoryboardChoiceForm(forms.Form):
    storyboard = forms.IntegerField(min_value=1, max_value=_ID_MAX, error_messages={
        "required": "Storyboard: choose one to add.",
        "invalid": "Storyboard: choose one from the list."})


class PinForm(forms.Form):
    # Empty: back to the approved (or newest) take.
    clip = forms.IntegerField(min_value=1, max_value=_ID_MAX, required=False, error_messages={
        "invalid": "Take: choose one from the list."})


class OrderForm(forms.Form):
    """The storyboard ids in their new order, comma separated (what the drag-and-drop sends)."""

    order = forms.CharField(max_length=20_000, error_messages={
        "required": "Order: no storyboards were sent."})

    def clean_order(self) -> list[int]:
        parts = [p.strip() for p in self.cleaned_data["order"].split(",") if p.strip()]
        if not parts or not all(p.isdigit() and len(p) <= 12 for p in parts):
            raise forms.ValidationError("Order: a comma-separated list of storyboard ids.")
        return [int(p) for p in parts]
