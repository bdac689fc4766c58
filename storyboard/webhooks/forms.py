from django import forms

from storyboard.webhooks.addresses import refusal
from storyboard.webhooks.models import Event


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="URL", strip=True, required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/storyboard-hooks"}),
        help_text="An https:// address on the internet; it receives a signed POST per event.")
    events = forms.MultipleChoiceField(
        label="Events", choices=Event.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event.",
                        "invalid_choice": "%(value)s is not an event this server sends."})

    def clean_url(self):
        url = self.cleaned_data["url"]
        why = refusal(url)
        if why:
            raise forms.ValidationError(why)
        return url
