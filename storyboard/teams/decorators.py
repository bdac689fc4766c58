"""View decorators that state who may use a view.

Every view of the project carries `team_permission`: a permission name from roles.py for
team-scoped views, or None for personal views (the signed-in user's own things). The
authorization walk in tests/teams/test_authorization.py reads it, so a new view without one fails
the suite instead of shipping unchecked.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from storyboard.teams.roles import ALL_PERMISSIONS


def team_required(permission: str = "view"):
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.membership is None:
                return redirect("teams:none")
            if not request.membership.can(permission):
                raise PermissionDenied(
                    f"Your role in {request.team.name} ({request.membership.role}) "
                    f"cannot do this."
                )
            return view(request, *args, **kwargs)

        wrapped.team_permission = permission
        return wrapped

    return decorator


def personal(view):
    """A view about the signed-in user rather than the current team (switch team, new team)."""
    view.team_permission = None
    return view
