"""The Usage page (Team settings → Usage), for owners: what the team's paid jobs did and cost,
per week, account and person, drawn as SVG beside the figures; and the team's monthly cap."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from storyboard.boards.editing import money
from storyboard.jobs import spending
from storyboard.teams.decorators import team_required
from storyboard.teams.models import ProviderAccount
from storyboard.teams.scoping import for_team
from storyboard.usage import actions, charts, report
from storyboard.usage.forms import PeriodForm, TeamCapForm


def _page(request, *, cap_form=None, status=200):
    team = request.team
    period = PeriodForm(request.GET or {"weeks": report.DEFAULT_PERIOD})
    period_error = ""
    if period.is_valid():
        weeks = period.cleaned_data["weeks"]
    else:
        weeks, status = report.DEFAULT_PERIOD, 400
        period_error = f"Period: {period.errors['weeks'][0]}"
        period = PeriodForm({"weeks": weeks})
        period.is_valid()
    usage = report.build(team, weeks)
    unit = spending.unit_of(team)
    accounts = list(for_team(ProviderAccount, team))
    caps = spending.status(team, accounts)
    month_spent, _ = spending.spent_by_account(team.pk)
    drawn = charts.build(usage, unit)
    parts = [{"key": "accounts", "heading": "Per account", "name": "Account",
              "chart": drawn["accounts"], "rows": usage.accounts},
             {"key": "people", "heading": "Per person", "name": "Person",
              "chart": drawn["people"], "rows": usage.people}]
    context = {
        "usage": usage, "weeks": weeks, "unit": unit, "charts": drawn, "parts": parts,
        "week_charts": [drawn["spend_weeks"], drawn["seconds_weeks"], drawn["outcomes_weeks"]],
        "period_form": period, "period_error": period_error,
        "cap_form": cap_form or TeamCapForm(initial={"monthly_cap": (
            "" if team.monthly_cap is None else money(team.monthly_cap))}),
        "caps": caps, "reached": [c for c in caps if c.reached],
        "month_spent": spending.amount_text(month_spent, unit),
        "accounts": accounts, "notice": spending.recent_notice(team),
    }
    return render(request, "usage/index.html", context, status=status)


@require_GET
@team_required("manage")
def index(request):
    return _page(request)


@require_POST
@team_required("manage")
def team_cap(request):
    form = TeamCapForm(request.POST)
    if not form.is_valid():
        return _page(request, cap_form=form, status=400)
    cap = form.cleaned_data["monthly_cap"]
    actions.set_team_cap(request.team, cap)
    if cap is None:
        messages.success(request, "Team monthly cap removed: submissions are not capped.")
    else:
        messages.success(request, "Team monthly cap saved: "
                                  f"{spending.amount_text(cap, spending.unit_of(request.team))}.")
    return redirect("usage:index")
