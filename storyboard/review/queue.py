"""Which clips await a decision: clips of finished jobs with no decision yet, oldest first."""

from __future__ import annotations

from django.db.models import QuerySet

from storyboard.jobs.models import Clip

QUEUE_PAGE = 48


def awaiting(team) -> QuerySet:
    return (Clip.objects.filter(team=team, job__state="succeeded", review__isnull=True)
            .order_by("created_at", "id"))
