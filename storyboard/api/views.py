"""Team settings → API tokens: the team's live tokens, the form that makes one (shown once)
and Revoke. Owners only, like provider accounts and webhooks: a token is a way in."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from storyboard import shown_once
from storyboard.api import actions
from storyboard.api.forms import TokenForm
from storyboard.api.models import ApiToken
from storyboard.teams.decorators import team_required
from storyboard.teams.models import Membership
from storyboard.teams.scoping import for_team, get_for_team

# The new token waits here between the POST that made it and the page it redirects to, which
# takes it out: a reload shows it no more, and it never goes into a URL.
NEW_TOKEN_KEY = "api.new_token"  # noqa: S105 - a session key, not a secret


def _page(request, form=None, status=200):
    new_token = shown_once.take(request, NEW_TOKEN_KEY)
    tokens = list(for_team(ApiToken.objects.active(), request.team).select_related("user"))
    roles = dict(Membership.objects.filter(team=request.team).values_list("user_id", "role"))
    for token in tokens:
        token.role = roles.get(token.user_id, "")
    response = render(request, "api/tokens.html", {
        "tokens": tokens, "form": form or TokenForm(request.team), "new_token": new_token,
    }, status=status)
    return shown_once.never_cached_if_shown(response, new_token)


@require_GET
@team_required("manage")
def index(request):
    return _page(request)


@require_POST
@team_required("manage")
def create(request):
    form = TokenForm(request.team, request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        row, token = actions.create_token(form.cleaned_data["member"],
                                          form.cleaned_data["name"])
    except actions.TokenRefused as refused:
        form.add_error("name", str(refused))
        return _page(request, form, status=400)
    shown_once.keep(request, NEW_TOKEN_KEY, name=row.name, token=token)
    messages.success(request, f"Token “{row.name}” made. Copy it now: it is shown only this "
                              "once.")
    return redirect("api_tokens:index")


@require_POST
@team_required("manage")
def revoke(request, token_id: int):
    token = get_for_team(ApiToken.objects.active(), request.team, pk=token_id)
    actions.revoke_token(token)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api_tokens:index")
