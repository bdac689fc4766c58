"""Sequences: the list, a sequence's page (the strip of its storyboards with their chosen takes,
reordering, pinning, the reel player), and the continuity buttons of any clip."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from storyboard.boards.models import Preview, Storyboard
from storyboard.jobs.models import Clip
from storyboard.review.models import ReviewState
from storyboard.review.timing import shot_plan
from storyboard.sequences import actions
from storyboard.sequences.exports_models import SequenceExport
from storyboard.sequences.forms import OrderForm, PinForm, StoryboardChoiceForm, TitleForm
from storyboard.sequences.models import Sequence, SequenceEntry
from storyboard.sequences.takes import choose, takes_by_storyboard
from storyboard.teams.decorators import team_required
from storyboard.teams.scoping import for_team, get_for_team

ADD_CHOICES_MAX = 500  # the "Add storyboard" select lists the most recently changed ones


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "That was not understood."


def _sequence(request, sequence_id: int) -> Sequence:
    return get_for_team(Sequence, request.team, pk=sequence_id)


def _entry(request, entry_id: int) -> SequenceEntry:
    return get_for_team(SequenceEntry.objects.select_related("sequence", "storyboard"),
                        request.team, field="sequence__team", pk=entry_id)


def _back(entry_or_sequence) -> str:
    pk = getattr(entry_or_sequence, "sequence_id", None) or entry_or_sequence.pk
    return reverse("sequences:detail", args=[pk])


@require_GET
@team_required("view")
def index(request):
    sequences = list(for_team(Sequence, request.team).order_by("title", "id"))
    counts: dict[int, int] = {}
    for sequence_id in SequenceEntry.objects.filter(
            sequence__team=request.team).values_list("sequence_id", flat=True):
        counts[sequence_id] = counts.get(sequence_id, 0) + 1
    for sequence in sequences:
        sequence.count = counts.get(sequence.pk, 0)
    return render(request, "sequences/index.html", {"sequences": sequences,
                                                    "form": TitleForm()})


@require_POST
@team_required("edit")
def create(request):
    form = TitleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("sequences:index")
    try:
        sequence = actions.create_sequence(request.team, request.user, form.cleaned_data["title"])
    except actions.SequenceRefused as refused:
        messages.error(request, str(refused))
        return redirect("sequences:index")
    return redirect("sequences:detail", sequence.pk)


@dataclass
class Row:
    """One storyboard of the strip, with what the strip and the reel show of it."""

    entry: SequenceEntry
    take: Clip | None
    takes: list[Clip]
    preview: Preview | None
    seconds: float  # the take's real length, else the animatic's, else the planned seconds
    review_label: str
    shots: str  # shot boundaries in seconds from the start of what plays, comma separated
    start: float = 0.0  # where it starts in the reel


def _planned_seconds(board: Storyboard) -> float:
    def number(raw: str) -> float:
        try:
            return max(float(raw), 0.0)
        except (TypeError, ValueError):
            return 0.0

    if board.multi_shot:
        return sum(number(shot.duration) for shot in board.shots.all())
    return number(board.duration)


def _boundaries(take: Clip | None, board: Storyboard, seconds: float) -> str:
    """The planned shot boundaries scaled to what really plays."""
    if take is not None:
        plan = shot_plan(take.job.snapshot or {}, take.seconds)
    else:
        plan = shot_plan({"shots": [{"duration": s.duration} for s in board.shots.all()]}
                         if board.multi_shot else {"duration": board.duration})
    planned = plan[-1].end if plan else 0
    if not planned or not seconds:
        return ""
    return ",".join(f"{shot.start * seconds / planned:.3f}" for shot in plan[1:])


def _rows(sequence: Sequence) -> list[Row]:
    """The strip in a fixed number of queries: entries with their storyboards and shots, the
    clips of all of them, their latest ready animatics."""
    entries = list(sequence.entries.select_related("storyboard")
                   .prefetch_related("storyboard__shots").order_by("position"))
    ids = [entry.storyboard_id for entry in entries]
    takes = takes_by_storyboard(sequence.team_id, ids)
    previews: dict[int, Preview] = {}
    for preview in (Preview.objects.filter(storyboard_id__in=ids, state=Preview.State.READY)
                    .exclude(file="").order_by("-created_at", "-id")):
        previews.setdefault(preview.storyboard_id, preview)
    rows, start = [], 0.0
    for entry in entries:
        take = choose(entry, takes[entry.storyboard_id])
        preview = previews.get(entry.storyboard_id) if take is None else None
        board = entry.storyboard
        if take is not None:
            seconds = take.seconds
        elif preview is not None and preview.seconds:
            seconds = preview.seconds
        else:
            seconds = _planned_seconds(board)
        review = getattr(take, "review", None) if take is not None else None
        label = (ReviewState(review.state).label if review is not None
                 else ReviewState.AWAITING.label) if take is not None else "No take yet"
        rows.append(Row(entry, take, takes[entry.storyboard_id], preview, seconds, label,
                        _boundaries(take, board, seconds), start))
        start += seconds
    return rows


@require_GET
@team_required("view")
def detail(request, sequence_id: int):
    sequence = _sequence(request, sequence_id)
    rows = _rows(sequence)
    addable = (for_team(Storyboard, request.team).filter(sequence_entry__isnull=True)
               .order_by("-updated_at", "-id").only("id", "title")[:ADD_CHOICES_MAX])
    return render(request, "sequences/detail.html", {
        "sequence": sequence, "rows": rows, "total": sum(row.seconds for row in rows),
        "addable": addable, "playable": any(row.take or row.preview for row in rows),
        "export_formats": SequenceExport.Format.choices,
        "missing_takes": [row.entry.storyboard.title for row in rows if row.take is None],
        "stand_ins": any(row.take is None and row.preview for row in rows),
        "skipped": any(row.take is None and row.preview is None for row in rows),
    })


@require_POST
@team_required("edit")
def rename(request, sequence_id: int):
    sequence = _sequence(request, sequence_id)
    form = TitleForm(request.POST)
    try:
        if not form.is_valid():
            raise actions.SequenceRefused(_first_error(form), "title")
        actions.rename_sequence(sequence, form.cleaned_data["title"])
        messages.success(request, f"Renamed to “{sequence.title}”.")
    except actions.SequenceRefused as refused:
        messages.error(request, str(refused))
    return redirect(_back(sequence))


@require_POST
@team_required("edit")
def delete(request, sequence_id: int):
    sequence = _sequence(request, sequence_id)
    actions.delete_sequence(sequence)
    messages.success(request, f"Deleted the sequence “{sequence.title}”; its storyboards and "
                              f"takes are kept.")
    return redirect("sequences:index")


@require_POST
@team_required("edit")
def add(request, sequence_id: int):
    sequence = _sequence(request, sequence_id)
    form = StoryboardChoiceForm(request.POST)
    try:
        if not form.is_valid():
            raise actions.SequenceRefused(_first_error(form), "storyboard")
        board = Storyboard.objects.filter(team=request.team,
                                          pk=form.cleaned_data["storyboard"]).first()
        if board is None:
            raise actions.SequenceRefused("Storyboard: not one of this team's storyboards.",
                                          "storyboard")
        actions.add_storyboard(sequence, board)
        messages.success(request, f"Added “{board.title}”.")
    except actions.SequenceRefused as refused:
        messages.error(request, str(refused))
    return redirect(_back(sequence))


@require_POST
@team_required("edit")
def order(request, sequence_id: int):
    sequence = _sequence(request, sequence_id)
    form = OrderForm(request.POST)
    try:
        if not form.is_valid():
            raise actions.SequenceRefused(_first_error(form), "order")
        actions.reorder(sequence, form.cleaned_data["order"])
    except actions.SequenceRefused as refused:
        messages.error(request, str(refused))
    return redirect(_back(sequence))


@require_POST
@team_required("edit")
def remove(request, entry_id: int):
    entry = _entry(request, entry_id)
    actions.remove_entry(entry)
    messages.success(request, f"Removed “{entry.storyboard.title}” from the sequence (the "
                              f"storyboard is kept).")
    return redirect(_back(entry))


@require_POST
@team_required("edit")
def earlier(request, entry_id: int):
    entry = _entry(request, entry_id)
    actions.move(entry, -1)
    return redirect(_back(entry))


@require_POST
@team_required("edit")
def later(request, entry_id: int):
    entry = _entry(request, entry_id)
    actions.move(entry, 1)
    return redirect(_back(entry))


@require_POST
@team_required("edit")
def pin(request, entry_id: int):
    entry = _entry(request, entry_id)
    form = PinForm(request.POST)
    try:
        if not form.is_valid():
            raise actions.SequenceRefused(_first_error(form), "clip")
        actions.pin_take(entry, form.cleaned_data["clip"])
        which = "the chosen take" if form.cleaned_data["clip"] else "its approved or newest take"
        messages.success(request, f"“{entry.storyboard.title}” now plays {which}.")
    except actions.SequenceRefused as refused:
        messages.error(request, str(refused))
    return redirect(_back(entry))


def _clip(request, clip_id: int) -> Clip:
    return get_for_team(Clip.objects.filter(job__state="succeeded")
                        .select_related("job", "job__storyboard", "team"),
                        request.team, pk=clip_id)


def _continued(request, clip: Clip, make, done: str):
    try:
        board = make(clip, request.user)
    except actions.SequenceRefused as refused:
        messages.error(request, str(refused))
        return redirect(request.POST.get("next") if _safe(request.POST.get("next"))
                        else reverse("gallery:clip", args=[clip.pk]))
    entry = SequenceEntry.objects.filter(storyboard=board).select_related("sequence").first()
    where = f" It follows the clip in “{entry.sequence.title}”." if entry else ""
    messages.success(request, f"{done}{where}")
    return redirect("boards:detail", board.pk)


def _safe(url) -> bool:
    return isinstance(url, str) and url.startswith("/") and not url.startswith("//")


@require_POST
@team_required("edit")
def continue_clip(request, clip_id: int):
    return _continued(request, _clip(request, clip_id), actions.continue_from_last_frame,
                      "New storyboard: its first frame (@image_1) is the clip's last frame.")


@require_POST
@team_required("edit")
def next_shot(request, clip_id: int):
    return _continued(request, _clip(request, clip_id), actions.next_shot_from_clip,
                      "New storyboard: the clip is its reference video (@video_1, feature); "
                      "the checks say which targets take one.")
