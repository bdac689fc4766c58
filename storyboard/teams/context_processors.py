def current_team(request):
    membership = getattr(request, "membership", None)
    return {
        "current_team": getattr(request, "team", None),
        "current_membership": membership,
        "my_memberships": getattr(request, "memberships", []),
        "can": _Permissions(membership),
    }


class _Permissions:
    """`{% if can.edit %}` in templates, for showing only the controls a role may use."""

    def __init__(self, membership):
        self._membership = membership

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return bool(self._membership and self._membership.can(name))
