"""What a team may see in the library: its own things, plus the elements of teams that share
their library with it (read-only), and the images those shared elements are made of.

Reads go through these helpers; writes only ever look up `for_team(..., request.team)`, so a
shared element can be used but never changed.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from storyboard.library.models import (
    Element,
    ElementVersion,
    LibraryShare,
    ReferenceImage,
    ReferenceVideo,
)
from storyboard.teams.scoping import for_team


def teams_sharing_with(team) -> QuerySet:
    """Ids of the teams whose element library `team` may use (active shares only)."""
    return LibraryShare.objects.active().filter(to_team=team).values("from_team_id")


def teams_shared_with(team) -> QuerySet:
    """Ids of the teams that may use `team`'s elements (active shares only)."""
    return LibraryShare.objects.active().filter(from_team=team).values("to_team_id")


def visible_elements(team) -> QuerySet:
    return Element.objects.filter(
        Q(team=team) | Q(team_id__in=teams_sharing_with(team))
    ).select_related("team", "current_version")


def visible_versions(team) -> QuerySet:
    return ElementVersion.objects.filter(
        Q(element__team=team) | Q(element__team_id__in=teams_sharing_with(team))
    )


def visible_images(team) -> QuerySet:
    """The team's own images and those that make up a shared element (any of its versions)."""
    shared = ReferenceImage.objects.filter(
        uses__version__element__team_id__in=teams_sharing_with(team)
    ).values("pk")
    return ReferenceImage.objects.filter(Q(team=team) | Q(pk__in=shared))


def get_visible_element(team, pk) -> Element:
    return get_object_or_404(visible_elements(team), pk=pk)


def get_visible_version(team, pk) -> ElementVersion:
    return get_object_or_404(visible_versions(team).select_related("element__team"), pk=pk)


def get_visible_image(team, pk) -> ReferenceImage:
    return get_object_or_404(visible_images(team), pk=pk)


def get_visible_video(team, pk) -> ReferenceVideo:
    return get_object_or_404(for_team(ReferenceVideo, team), pk=pk)
