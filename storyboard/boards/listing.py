"""The storyboards list: what each row shows so that two boards with the same title can be told
apart — a small picture, the target, the last job's state and when — read in a fixed number of
queries however many rows there are: the boards with their last job's and latest clip's ids as
subqueries, then those jobs, then the slots of the boards without a clip, then those slots'
element pictures."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from storyboard.boards.models import Shot, Slot, Storyboard
from storyboard.boards.state import element_facts, thumbnail_of
from storyboard.library import access
from storyboard.library.models import ReferenceVideo
from storyboard.rules.model import slot_kind, slot_sort_key
from storyboard.teams.scoping import for_team

SORTS = {"changed": ("-updated_at", "-id"), "oldest": ("updated_at", "id"),
         "title": ("title", "id")}
PAGE_SIZE = 50  # rows per page; a page costs the same queries whichever it is
SEARCH_MAX = 80
ANIMATIC_LABEL = "Local preview (animatic)"
# The columns a row shows: a board's prompts and negative prompt can be 20,000 characters each.
ROW_FIELDS = ("id", "title", "model", "mode", "multi_shot", "updated_at", "account__label")
JOB_FIELDS = ("id", "state", "created_at", "submitted_at", "finished_at", "updated_at")
_MARK = 987654321
_ALT = {"image": "Reference image {}", "element": "Element {}", "video": "Reference video {}"}


@functools.lru_cache(maxsize=8)
def _url_maker(name: str, *variant: str):
    """pk -> URL of a media view, reversed once per process instead of once per row."""
    pattern = reverse(name, args=[_MARK, *variant])
    return lambda pk: pattern.replace(str(_MARK), str(pk))


@dataclass(frozen=True)
class Picture:
    url: str
    alt: str


@dataclass(frozen=True)
class LastJob:
    label: str  # "Succeeded", "Running", "No jobs yet"
    state: str  # the job's state, or "none": the badge's colour
    when: str = ""  # "2 h ago"
    when_iso: str = ""
    when_full: str = ""  # "3 Mar 2025, 14:05", shown on hover


NO_JOBS = LastJob("No jobs yet", "none")


@dataclass(frozen=True)
class BoardRow:
    board: Storyboard
    target: str
    picture: Picture | None  # None: a neutral placeholder, never a broken image
    last_job: LastJob


def clean_search(raw: str) -> str:
    return " ".join(raw.split())[:SEARCH_MAX]


def clean_sort(raw: str) -> str:
    return raw if raw in SORTS else "changed"


@dataclass(frozen=True)
class Pager:
    number: int
    count: int  # pages
    total: int  # storyboards

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


def clean_page(raw: str) -> int:
    """A page number from the URL; anything else is the first page (a page past the last one
    shows the last)."""
    return int(raw) if raw.isdigit() and 0 < len(raw) <= 6 and int(raw) > 0 else 1


def board_rows(team, q: str = "", sort: str = "changed", now: datetime | None = None,
               page: int = 1) -> tuple[list[BoardRow], Pager]:
    """One page of the team's storyboards. Titles sort and "oldest first" make a cursor on the
    change time impossible, so pages are numbered; a team's storyboards number in the
    hundreds, not millions, so the OFFSET costs nothing worth a cursor."""
    # Imported here: the jobs app builds on boards' models, so boards may not import it at
    # module level.
    from storyboard.jobs.models import Clip, Job, State

    jobs = Job.objects.filter(team=team, storyboard=OuterRef("pk")).order_by("-created_at",
                                                                             "-id")
    clips = (Clip.objects.filter(team=team, job__team=team, job__storyboard=OuterRef("pk"),
                                 job__state=State.SUCCEEDED)
             .exclude(poster="").order_by("-created_at", "-id"))
    shots = (Shot.objects.filter(storyboard=OuterRef("pk")).order_by()
             .values("storyboard").annotate(n=Count("pk")).values("n"))
    boards = (for_team(Storyboard, team).select_related("account").only(*ROW_FIELDS)
              .annotate(shot_count=Coalesce(Subquery(shots, output_field=IntegerField()), 0),
                        last_job_id=Subquery(jobs.values("pk")[:1]),
                        clip_id=Subquery(clips.values("pk")[:1])))
    if q:
        boards = boards.filter(title__icontains=q)
    total = for_team(Storyboard, team).filter(title__icontains=q).count() if q else (
        for_team(Storyboard, team).count())
    pager = Pager(1, max(1, -(-total // PAGE_SIZE)), total)
    pager = Pager(min(page, pager.count), pager.count, total)
    start = (pager.number - 1) * PAGE_SIZE
    boards = list(boards.order_by(*SORTS[sort])[start:start + PAGE_SIZE])
    # One query for all the rows' last jobs (none when no row has one: `in []` asks nothing).
    last_jobs = {j.pk: j for j in Job.objects.filter(
        team=team, pk__in=[b.last_job_id for b in boards if b.last_job_id is not None]
    ).only(*JOB_FIELDS)}
    pictures = _reference_pictures(team, [b.pk for b in boards if b.clip_id is None])
    poster_url = _url_maker("jobs:clip_poster")
    now = now or timezone.now()
    return [BoardRow(b, target_label(b),
                     Picture(poster_url(b.clip_id), "Poster of the latest clip")
                     if b.clip_id is not None else pictures.get(b.pk),
                     _last_job(last_jobs.get(b.last_job_id), now))
            for b in boards], pager


def target_label(board: Storyboard) -> str:
    """'Sandbox Kling (official API) · v3 · pro'; a board without an account previews locally."""
    if board.account_id is None:
        return ANIMATIC_LABEL
    return f"{board.account.label} · {board.model} · {board.mode}"


def _reference_pictures(team, board_ids: list[int]) -> dict[int, Picture]:
    """board id -> the picture of its first reference in slot order that the team may still
    see (a slot whose element is no longer shared with it is passed over: its picture would be
    refused)."""
    if not board_ids:
        return {}
    visible = (Q(image_id__in=access.visible_images(team).values("pk"))
               | Q(video_id__in=for_team(ReferenceVideo, team).values("pk"))
               | Q(element_version_id__in=access.visible_versions(team).values("pk")))
    slots = (Slot.objects.filter(storyboard_id__in=board_ids).filter(visible)
             .select_related("image", "video", "element_version")
             .only("storyboard_id", "name", "image__name", "video__name",
                   "element_version__name", "element_version__poster",
                   "element_version__created_at"))
    slots = sorted(slots, key=lambda s: (s.storyboard_id, slot_sort_key(s.name)))
    # One query for every element's pictures.
    facts = element_facts([s.element_version for s in slots if s.element_version_id])
    found: dict[int, Picture] = {}
    for slot in slots:
        kind = slot_kind(slot.name)
        # The library item itself (not `slot.item`): only its columns were read.
        item = slot.image or slot.video or slot.element_version
        if slot.storyboard_id in found or kind not in _ALT or item is None:
            continue
        if kind == "element":
            # thumbnail_of's choice, from the facts read above: asking it per element could
            # read them again one by one once the process's cache of them is full.
            pictures = facts[item.pk].image_ids
            if pictures:
                url = _url_maker("library:image_file", "256")(pictures[0])
            elif item.poster:
                url = _url_maker("library:version_file", "poster")(item.pk)
            else:
                continue  # neither a picture nor a poster frame: the next slot
        else:
            name, (pk, variant) = thumbnail_of(kind, item)
            url = _url_maker(name, variant)(pk)
        found[slot.storyboard_id] = Picture(url, _ALT[kind].format(item.name))
    return found


def _last_job(job, now: datetime) -> LastJob:
    from storyboard.jobs.models import FINAL, State

    if job is None:
        return NO_JOBS
    state = job.state
    if state in FINAL:
        label, moment = State(state).label, job.finished_at or job.updated_at
    elif state == State.QUEUED:
        label, moment = "Queued", job.created_at
    else:
        label, moment = "Running", job.submitted_at or job.created_at
    local = timezone.localtime(moment)
    return LastJob(label, state, ago(moment, now), local.isoformat(),
                   f"{local.day} {local:%b %Y, %H:%M}")


def ago(moment: datetime, now: datetime) -> str:
    """'just now', '5 min ago', '2 h ago', '3 d ago', then the date: short enough for a row."""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 30 * 86400:
        return f"{int(seconds // 86400)} d ago"
    local = timezone.localtime(moment)
    return f"on {local.day} {local:%b %Y}"
