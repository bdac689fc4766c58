from __future__ import annotations

from django import forms

from storyboard.api.models import NAME_MAX
from storyboard.teams.models import Membership


class TokenForm(forms.Form):
    name = forms.CharField(label="Name", max_length=NAME_MAX,
                           help_text="What will use it, e.g. “render farm”.")
    member = forms.ModelChoiceField(
        label="Acts as", queryset=Membership.objects.none(), empty_label=None,
        help_text="The token acts with this member's role, as it is at each request: a "
                  "viewer's token can only read; removing the member stops it.")

    def __init__(self, team, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (Membership.objects.filter(team=team)
                                          .select_related("user").order_by("user__username"))
        self.fields["member"].label_from_instance = (
            lambda m: f"{m.user.username} ({m.get_role_display()})")
