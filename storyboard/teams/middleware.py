from __future__ import annotations

from storyboard.teams.models import Membership

SESSION_KEY = "current_team_id"


class CurrentTeamMiddleware:
    """Puts the signed-in user's memberships and the current one (kept in the session) on the
    request: `request.memberships`, `request.membership`, `request.team` (None when in no team)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = []
        request.membership = None
        request.team = None
        if request.user.is_authenticated:
            memberships = list(
                Membership.objects.filter(user=request.user).select_related("team")
            )
            request.memberships = memberships
            wanted = request.session.get(SESSION_KEY)
            current = next((m for m in memberships if m.team_id == wanted), None)
            if current is None and memberships:
                current = memberships[0]
                request.session[SESSION_KEY] = current.team_id
            request.membership = current
            request.team = current.team if current else None
        return self.get_response(request)
