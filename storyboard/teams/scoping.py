"""Team scoping: every query for a team-owned object goes through these helpers, so another team's
object is simply not found (404) rather than refused (which would confirm that it exists)."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404


def for_team(queryset_or_model: QuerySet | type[Model], team, *, field: str = "team") -> QuerySet:
    queryset = (
        queryset_or_model._default_manager.all()
        if isinstance(queryset_or_model, type)
        else queryset_or_model
    )
    return queryset.filter(**{field: team})


def get_for_team(queryset_or_model, team, *, field: str = "team", **lookup):
    return get_object_or_404(for_team(queryset_or_model, team, field=field), **lookup)
