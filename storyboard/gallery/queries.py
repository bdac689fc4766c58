"""The gallery's reads: the filtered, keyset-paginated clip list, storyboard families (a board
with its revisions), and what a card needs — all in a fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, OuterRef, QuerySet

from storyboard import keyset
from storyboard.boards.models import Storyboard
from storyboard.jobs.models import Clip, Job, JobSource
from storyboard.review.models import Favourite, ReviewState

PAGE_SIZE = 48
FAMILY_DEPTH = 12  # revisions of revisions: far beyond real use, and bounds the walk


def family_ids(board_id: int, team) -> list[int]:
    """The storyboard, the boards it was revised from, and every revision made from any of
    them: one query per level, at most FAMILY_DEPTH levels each way."""
    boards = Storyboard.objects.filter(team=team)
    root = board_id
    for _ in range(FAMILY_DEPTH):
        parent = boards.filter(pk=root).values_list("parent_id", flat=True).first()
        if parent is None:
            break
        root = parent
    found, frontier = [root], [root]
    for _ in range(FAMILY_DEPTH * 2):
        frontier = [pk for pk in boards.filter(parent_id__in=frontier).values_list("pk",
                                                                                     flat=True)
                    if pk not in found]
        if not frontier:
            break
        found.extend(frontier)
    return found


def clips_for(team, user) -> QuerySet:
    """Clips of the team with what a card shows: job, target account, review state, and whether
    this user starred it."""
    return (Clip.objects.filter(team=team, job__state="succeeded")
            .select_related("job", "job__account")
            .annotate(review_state=F("review__state"),
                      starred=Exists(Favourite.objects.filter(user=user, clip=OuterRef("pk"))))
            .order_by("-created_at", "-id"))


CARD_FIELDS = ("id", "job", "width", "height", "seconds", "created_at", "job__id", "job__title",
               "job__state", "job__dialect", "job__model", "job__account", "job__storyboard",
               "job__account__id", "job__account__label")


def card_rows(clips: QuerySet) -> QuerySet:
    """Only what a card shows: a job's snapshot and request body are JSON worth decoding only
    on the pages that show them."""
    return clips.only(*CARD_FIELDS)


@dataclass(frozen=True)
class Filters:
    boards: list[int] | None = None  # a storyboard family
    dialect: str = ""
    account_id: int | None = None
    model: str = ""
    review: str = ""
    element_id: int | None = None
    date_from: datetime | None = None
    date_before: datetime | None = None  # exclusive
    words: tuple[str, ...] = ()
    favourites: bool = False


def apply_filters(clips: QuerySet, f: Filters, user) -> QuerySet:
    # Narrow filters start from the few jobs that match (through the jobs' own indexes) rather
    # than walking every clip of the team in date order looking for them.
    if f.boards is not None:
        clips = clips.filter(job_id__in=Job.objects.filter(storyboard_id__in=f.boards)
                             .values("id"))
    if f.dialect:
        clips = clips.filter(job__dialect=f.dialect)
    if f.account_id is not None:
        clips = clips.filter(job__account_id=f.account_id)
    if f.model:
        clips = clips.filter(job__model=f.model)
    if f.review == ReviewState.AWAITING:
        clips = clips.filter(review__isnull=True)
    elif f.review:
        clips = clips.filter(review__state=f.review)
    if f.element_id is not None:
        used = JobSource.objects.filter(
            element_version__element_id=f.element_id).values("job_id")
        clips = clips.filter(job_id__in=used)
    if f.date_from is not None:
        clips = clips.filter(created_at__gte=f.date_from)
    if f.date_before is not None:
        clips = clips.filter(created_at__lt=f.date_before)
    for word in f.words:  # every word, anywhere in the prompts; LIKE wildcards are escaped
        clips = clips.filter(job__prompt_text__icontains=word)
    if f.favourites:
        clips = clips.filter(pk__in=Favourite.objects.filter(user=user).values("clip_id"))
    return clips


def parse_cursor(text: str) -> tuple[datetime, int] | None:
    return keyset.parse_cursor(text)


def page_of(clips: QuerySet, after: tuple[datetime, int] | None,
            size: int = PAGE_SIZE) -> tuple[list[Clip], str | None]:
    """One page of clips, newest first (storyboard/keyset.py)."""
    return keyset.page_of(clips, after, size)
