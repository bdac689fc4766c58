"""Sequences: several storyboards in a row (a scene, or a whole short), each played with its
chosen take (storyboard/sequences/takes.py). A storyboard is in at most one sequence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from storyboard.boards.models import Storyboard
from storyboard.teams.models import Team

TITLE_MAX = 200


class Sequence(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="sequences")
    title = models.CharField(max_length=TITLE_MAX)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Bumped on every change of the entries or the pinned takes, so an export or a player
    # can tell that what it holds is out of date.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["title", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "title"],
                                               name="one_sequence_title_per_team")]

    def __str__(self) -> str:
        return self.title


class SequenceEntry(models.Model):
    """One storyboard at one place in a sequence; `pinned_clip` is a take the user chose over
    the approved or newest one."""

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="entries")
    storyboard = models.OneToOneField(Storyboard, on_delete=models.CASCADE,
                                      related_name="sequence_entry")
    position = models.PositiveIntegerField()
    pinned_clip = models.ForeignKey("jobs.Clip", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")

    class Meta:
        ordering = ["position"]
        # Reordering rewrites positions in two steps (actions.reorder), so the constraint
        # need not be deferrable on PostgreSQL.
        constraints = [models.UniqueConstraint(fields=["sequence", "position"],
                                               name="one_entry_per_sequence_position")]

    def __str__(self) -> str:
        return f"{self.sequence} #{self.position}: {self.storyboard}"


from .exports_models import SequenceExport  # noqa: E402, F401  (exports: sequences/exports.py)
