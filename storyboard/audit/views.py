"""Team settings → Audit log: who changed what in the team, when and from where, newest first,
for owners (the "manage" permission, like the rest of the team's settings)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from storyboard import keyset
from storyboard.audit.forms import AuditFilterForm
from storyboard.audit.models import AuditEvent
from storyboard.teams.decorators import team_required
from storyboard.teams.scoping import for_team

PAGE_SIZE = 50
FILTERS = ("person", "kind", "start", "end")


def _shown(value) -> str:
    return "none" if value in (None, "") else str(value)


def facts(details: dict) -> list[str]:
    """A row's details as short lines: "role: editor", "label: Old → New"."""
    lines = []
    for key, value in (details or {}).items():
        name = key.replace("_", " ")
        if value in (None, "", [], {}):
            continue
        if isinstance(value, dict):  # {"field": [before, after]}
            lines += [f"{k.replace('_', ' ')}: {_shown(v[0])} → {_shown(v[1])}"
                      if isinstance(v, list) and len(v) == 2 else f"{k}: {v}"
                      for k, v in value.items()]
        elif isinstance(value, list):
            lines.append(f"{name}: {', '.join(map(str, value))}")
        elif value is True:
            lines.append(name)
        elif value is not False:
            lines.append(f"{name}: {value}")
    return lines


@require_GET
@team_required("manage")
def index(request):
    form = AuditFilterForm(request.team, request.GET or None)
    events = for_team(AuditEvent, request.team)
    errors = []
    if form.is_bound and not form.is_valid():
        errors = form.errors_text()
    elif form.is_bound:
        events = form.apply(events)
    after = keyset.parse_cursor(request.GET.get("after", ""))
    rows, cursor = keyset.page_of(events, after, PAGE_SIZE) if not errors else ([], None)
    for row in rows:
        row.facts = facts(row.details)
    kept = {k: request.GET[k] for k in FILTERS if request.GET.get(k) and not errors}
    return render(request, "audit/index.html", {
        "form": form, "errors": errors, "events": rows, "older": after is not None,
        "filtered": bool(kept),
        "first_url": f"?{urlencode(kept)}" if kept else "?",
        "more_url": f"?{urlencode({**kept, 'after': cursor})}" if cursor else None,
    }, status=400 if errors else 200)
