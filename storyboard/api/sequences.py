"""Sequences over the API: list, read, create, export. A sequence is made through the pages'
own actions (storyboard/sequences/actions.py: create_sequence, add_storyboard) with the title
parsed by the pages' form; its strip is the chosen takes the reel plays (sequences/takes.py);
its exports are the stored exports the download page serves (sequences/exports.py:
request_export, and follow_export for a client polling one build)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, JsonResponse
from ninja import Path, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from storyboard.api.auth import EDIT, VIEW
from storyboard.api.errors import ApiError
from storyboard.api.pagination import PageParams, page
from storyboard.api.schemas import MAX_ID, Error
from storyboard.boards.models import Storyboard
from storyboard.review.models import ReviewState
from storyboard.review.timing import shot_plan
from storyboard.sequences import actions
from storyboard.sequences.exports import (
    ALL_FORMATS,
    CONTENT_TYPE,
    MissingTakes,
    filename,
    follow_export,
    request_export,
)
from storyboard.sequences.exports_models import SequenceExport
from storyboard.sequences.forms import TitleForm
from storyboard.sequences.models import TITLE_MAX, Sequence
from storyboard.sequences.takes import chosen_takes
from storyboard.teams.scoping import for_team, get_for_team

router = Router(tags=["sequences"])
ERRORS = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error, 429: Error}
_ID = Path(..., ge=1, le=MAX_ID)
STORYBOARDS_MAX = 500  # storyboards named by one create
POLL_AFTER = 2  # seconds: Retry-After of a 202 while an export is built


class SequenceIn(Schema):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is named, not ignored

    title: str = Field(max_length=TITLE_MAX, description=f"1–{TITLE_MAX} characters; unique "
                                                         f"in the team.")
    storyboards: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        [], max_length=STORYBOARDS_MAX,
        description="Storyboard ids in the order they play; each may be in no other sequence.")


class SequenceOut(Schema):
    id: int
    title: str
    version: int = Field(description="Goes up with every change of the storyboards, their "
                                     "order or a chosen take.")
    storyboard_count: int
    created_at: datetime
    updated_at: datetime


class SequencePage(Schema):
    items: list[SequenceOut]
    next: str | None


class EntryOut(Schema):
    position: int = Field(description="1, 2, 3 … in the order they play.")
    storyboard_id: int
    title: str
    take: int | None = Field(description="The clip id of the take it plays (pinned, else "
                                         "approved, else newest); null: no take yet.")
    pinned: bool = Field(description="The take was chosen on the sequence's page.")
    review_state: str = Field(description="The take's review: awaiting, approved, retake; "
                                          "no_take without one.")
    seconds: float = Field(description="The take's length, else the planned seconds.")
    start: float = Field(description="Seconds from the start of the sequence to this one.")
    running_total: float = Field(description="Seconds from the start to the end of this one.")


class SequenceDetail(SequenceOut):
    total_seconds: float
    storyboards: list[EntryOut]


class MissingOut(Schema):
    id: int
    title: str


class ExportConflict(Error):
    missing: list[MissingOut] = Field([], description="Storyboards without a take.")
    state: str | None = Field(None, description="failed, for an export that failed.")
    export_id: int | None = None


class ExportProgress(Schema):
    state: str = Field(description="queued or building.")
    progress: int = Field(description="Percent done.")
    done: int
    total: int
    export_id: int
    poll: str = Field(description="Where to ask again: follows this build (see docs/api.md).")


class ExportParams(Schema):
    format: Literal[ALL_FORMATS] = Field(description="otio, fcpxml, edl, mp4 or zip.")
    placeholders: bool = Field(False, description="A storyboard without a take plays its "
                                                  "animatic instead of stopping the export.")
    export: int | None = Field(None, ge=1, le=MAX_ID,
                               description="The export_id of a 202: follow that build.")


def _planned_seconds(board: Storyboard) -> float:
    plan = shot_plan({"shots": [{"duration": s.duration} for s in board.shots.all()]}
                     if board.multi_shot else {"duration": board.duration})
    return float(plan[-1].end) if plan else 0.0


def _summary(sequence: Sequence, count: int) -> dict:
    return {"id": sequence.pk, "title": sequence.title, "version": sequence.version,
            "storyboard_count": count, "created_at": sequence.created_at,
            "updated_at": sequence.updated_at}


def _detail(sequence: Sequence) -> dict:
    takes = chosen_takes(sequence)
    boards = Storyboard.objects.prefetch_related("shots").in_bulk(
        [entry.storyboard_id for entry, _ in takes])
    rows, total = [], 0.0
    for entry, clip in takes:
        seconds = clip.seconds if clip is not None else _planned_seconds(
            boards[entry.storyboard_id])
        review = getattr(clip, "review", None) if clip is not None else None
        state = ("no_take" if clip is None else review.state if review is not None
                 else ReviewState.AWAITING.value)
        rows.append({"position": entry.position, "storyboard_id": entry.storyboard_id,
                     "title": entry.storyboard.title, "take": clip.pk if clip else None,
                     "pinned": clip is not None and clip.pk == entry.pinned_clip_id,
                     "review_state": state, "seconds": seconds, "start": total,
                     "running_total": total + seconds})
        total += seconds
    return {**_summary(sequence, len(rows)), "total_seconds": total, "storyboards": rows}


def _refused(refused: actions.SequenceRefused, field: str, status: int) -> ApiError:
    why = str(refused).split(": ", 1)[-1]  # the pages' "Title: …" names their own field
    return ApiError(status, f"{field}: {why}", field)


# --- the operations -------------------------------------------------------------------------


@router.get("", response={200: SequencePage, **ERRORS}, auth=VIEW, summary="List sequences")
def list_sequences(request, params: Query[PageParams]):
    rows, cursor = page(for_team(Sequence, request.team).annotate(count=Count("entries")),
                        params)
    return {"items": [_summary(s, s.count) for s in rows], "next": cursor}


@router.post("", response={201: SequenceDetail, **ERRORS}, auth=EDIT,
             summary="Create a sequence, optionally with its storyboards in order")
def create_sequence(request, payload: SequenceIn):
    form = TitleForm({"title": payload.title})
    if not form.is_valid():
        raise ApiError(422, f"title: {form.errors['title'][0].split(': ', 1)[-1]}", "title")
    ids = payload.storyboards
    for n, pk in enumerate(ids):
        if pk in ids[:n]:
            raise ApiError(422, f"storyboards[{n}]: storyboard {pk} is listed twice",
                           f"storyboards[{n}]")
    boards = for_team(Storyboard, request.team).in_bulk(ids)
    for n, pk in enumerate(ids):
        if pk not in boards:
            raise ApiError(422, f"storyboards[{n}]: no storyboard {pk} in this team",
                           f"storyboards[{n}]")
    with transaction.atomic():  # all or nothing: a refused storyboard leaves no sequence
        try:
            sequence = actions.create_sequence(request.team, request.user,
                                               form.cleaned_data["title"])
        except actions.SequenceRefused as refused:  # the title is taken
            raise _refused(refused, "title", 422) from None
        for n, pk in enumerate(ids):
            try:
                actions.add_storyboard(sequence, boards[pk])
            except actions.SequenceRefused as refused:  # it is in another sequence
                raise _refused(refused, f"storyboards[{n}]", 409) from None
    return Status(201, _detail(sequence))


@router.get("/{sequence_id}", response={200: SequenceDetail, **ERRORS}, auth=VIEW,
            summary="One sequence: its storyboards in order with their chosen takes")
def get_sequence(request, sequence_id: int = _ID):
    return _detail(get_for_team(Sequence, request.team, pk=sequence_id))


_FILE = {"type": "string", "format": "binary"}
_EXPORT_FILES = {"content": {
    "application/json": {"schema": {"type": "object"}},  # the OpenTimelineIO file
    **{kind: {"schema": _FILE} for kind in sorted(set(CONTENT_TYPE.values()))
       if kind != "application/json"}}}


@router.get("/{sequence_id}/export",
            response={202: ExportProgress, 409: ExportConflict,
                      **{k: v for k, v in ERRORS.items() if k != 409}},
            auth=VIEW, summary="Export a sequence: the file, or 202 while it is built",
            openapi_extra={"responses": {"200": {
                "description": "The export as an attachment", **_EXPORT_FILES}}})
def export_sequence(request, params: Query[ExportParams], sequence_id: int = _ID):
    sequence = get_for_team(Sequence, request.team, pk=sequence_id)
    fmt = params.format
    try:
        row = None
        if params.export is not None:  # a poll: follow that build, never start it anew
            row = get_for_team(SequenceExport, request.team, field="sequence__team",
                               sequence=sequence, pk=params.export)
            if row.format != fmt or row.placeholders != params.placeholders:
                raise ApiError(422, f"export: build {row.pk} is the {row.format} export"
                                    f"{' with placeholders' if row.placeholders else ''}, "
                                    f"not this one", "export")
            row = follow_export(row)
            if row.state == row.State.READY and not default_storage.exists(row.file):
                row = None  # its file is gone: ask for it again
        if row is None:
            row = request_export(sequence, fmt, placeholders=params.placeholders)
    except MissingTakes as missing:
        raise ApiError(409, str(missing), None, extra={"missing": [
            {"id": entry.storyboard_id, "title": entry.storyboard.title}
            for entry, clip in chosen_takes(sequence) if clip is None]}) from None
    except ValueError as empty:  # the sequence has no storyboards
        raise ApiError(409, str(empty), None) from None
    if row.state == row.State.READY:
        return FileResponse(default_storage.open(row.file, "rb"), as_attachment=True,
                            filename=filename(sequence, fmt), content_type=CONTENT_TYPE[fmt])
    if row.state == row.State.FAILED:
        raise ApiError(409, row.failure_text or "Not exported.", None,
                       extra={"state": row.state, "export_id": row.pk})
    poll = (f"/api/v1/sequences/{sequence.pk}/export?format={fmt}"
            f"{'&placeholders=true' if row.placeholders else ''}&export={row.pk}")
    response = JsonResponse({"state": row.state, "progress": row.percent, "done": row.done,
                             "total": row.total, "export_id": row.pk, "poll": poll},
                            status=202)
    response["Retry-After"] = str(POLL_AFTER)
    return response
