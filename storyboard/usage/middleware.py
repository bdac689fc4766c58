"""The one-time 80 % message: when a submission takes a month to 80 % of a cap, the team keeps
the notice (jobs/spending.py `leave_notices`); each owner is shown it once, as a message on the
next page they open, and their session remembers that they saw it. It needs no query: the
team's row is on the request already (teams/middleware.py)."""

from __future__ import annotations

from django.contrib import messages

from storyboard.jobs.spending import recent_notice

SEEN_KEY = "usage.spend_notice_seen"  # team id -> time of the notice last shown


class SpendNoticeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _wants(request):
            team = request.team
            stamp = team.spend_notice_at.isoformat()
            seen = request.session.get(SEEN_KEY, {})
            if seen.get(str(team.pk)) != stamp:
                messages.warning(request, f"{recent_notice(team)} The Usage page (Team "
                                          "settings → Usage) has the figures.")
                request.session[SEEN_KEY] = {**seen, str(team.pk): stamp}
        return self.get_response(request)


def _wants(request) -> bool:
    """A page an owner opens (not a fragment, a file or a form post) while a notice of this
    month waits."""
    membership, team = getattr(request, "membership", None), getattr(request, "team", None)
    return (request.method == "GET" and team is not None and membership is not None
            and membership.can("manage") and not request.headers.get("HX-Request")
            and "text/html" in request.headers.get("Accept", "")
            and bool(recent_notice(team)))
