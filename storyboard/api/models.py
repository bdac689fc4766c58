"""API tokens: one member of one team, acting with that membership's role as it is at each
request (docs/api.md). Only a hash of the token is stored; the token is shown once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from storyboard.teams.models import Team

NAME_MAX = 60


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(max_length=NAME_MAX)
    token_hash = models.CharField(max_length=64, unique=True)  # sha256 hex of the whole token
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The command line revokes by name: a name means one live token of the team.
            models.UniqueConstraint(fields=["team", "name"], condition=Q(revoked_at__isnull=True),
                                    name="one_live_api_token_name_per_team"),
        ]

    def __str__(self) -> str:
        return f"API token {self.name!r} of {self.user} in {self.team}"
