"""Roles and what each may do. Permissions are named capabilities, not a ladder: a reviewer may
approve clips but not edit storyboards, an editor the reverse (docs/user-guide.md, "Teams and
roles")."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


# view: see the team's things; comment: write comments; edit: create and change storyboards,
# uploads, elements and jobs; review: approve or ask for a retake; manage: members, roles,
# provider accounts, sharing and the rate card.
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset({"view", "comment", "edit", "review", "manage"}),
    Role.EDITOR: frozenset({"view", "comment", "edit"}),
    Role.REVIEWER: frozenset({"view", "comment", "review"}),
    Role.VIEWER: frozenset({"view"}),
}
ALL_PERMISSIONS = frozenset().union(*PERMISSIONS.values())


def role_can(role: str, permission: str) -> bool:
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    return permission in PERMISSIONS.get(role, frozenset())
