"""Storyboards over the API. A storyboard's body is a batch-file item (docs/command-line.md,
“The batch file format”, what storyboard_check reads) plus its title and target. Reading it,
finding its library items and writing its rows are the batch import's and the editor's own
code (boards/importing.py, boards/writing.py); the check and the submit are the editor's."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from django.db import transaction
from ninja import Header, Path, Query, Router, Schema, Status
from pydantic import ConfigDict, Field, create_model

from storyboard import keyset
from storyboard.api.auth import EDIT, VIEW
from storyboard.api.errors import ApiError
from storyboard.api.pagination import PageParams, page
from storyboard.api.schemas import MAX_ID, Error, JobOut, Target, job_out, target_of
from storyboard.boards.actions import BoardError, delete_storyboard
from storyboard.boards.convert import to_value, with_related
from storyboard.boards.editing import context_for
from storyboard.boards.importing import (
    ImportRefused,
    check_item,
    fetch_addresses,
    finders_for,
    state_of_item,
)
from storyboard.boards.models import Storyboard
from storyboard.boards.state import Refused, load_board
from storyboard.boards.writing import StaleVersion, check_state, create_board, write_board
from storyboard.jobs.actions import SubmitRefused, submit_job
from storyboard.jobs.models import Job
from storyboard.library.fetching import storing
from storyboard.rules import BatchFormatError, check, parse_batch
from storyboard.rules.batch import to_item
from storyboard.rules.model import SLOT_NAMES
from storyboard.teams.models import ProviderAccount
from storyboard.teams.scoping import for_team, get_for_team

router = Router(tags=["storyboards"])
ERRORS = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error, 429: Error}
IDEMPOTENCY_KEY_MAX = 40  # "api:<token id>:" + this fits the job's 64-character submit key


class Shot(Schema):
    prompt: str = ""
    duration: str | int | None = None


class _ItemBase(Schema):
    model_config = ConfigDict(extra="allow")  # other keys: read as the batch format reads them

    title: str = Field("", description="Required to save; at most 200 characters.")
    prompt: str | None = None
    duration: str | int | None = Field(None, description="Single shot: seconds, e.g. \"5\".")
    shots: list[Shot] | None = Field(None, description="Multi-shot: 2–6 shots.")
    omni_version: str | None = Field(None, description="The model (v3 or o1); target.model "
                                                       "says it too.")
    mode: str | None = None
    aspect_ratio: str | None = None
    count: str | int | None = None
    audio: bool | None = None
    negative_prompt: str | None = None


_Slot = str | dict[str, Any] | None
Item = create_model("StoryboardItem", __base__=_ItemBase,
                    **{name: (_Slot, None) for name in SLOT_NAMES})


class StoryboardIn(Item):
    target: Target | None = Field(None, description="Omitted: the free local preview on "
                                                    "create, the current target on update.")


class StoryboardUpdate(StoryboardIn):
    version: int = Field(ge=1, le=MAX_ID, description="The version this change started from.")


class StoryboardOut(Item):
    id: int
    version: int
    target: Target


class StoryboardPage(Schema):
    items: list[StoryboardOut]
    next: str | None


class ProblemOut(Schema):
    severity: str
    code: str
    field: str
    message: str


class Slots(Schema):
    used: int
    limit: int | None


class CheckReport(Schema):
    ok: bool
    target: dict[str, Any]
    total_seconds: int | None
    seconds_range: list[int] | None
    slots: Slots
    problems: list[ProblemOut]


class Conflict(Error):
    current: StoryboardOut


class SpendOut(Schema):
    """A monthly cap's figures, in the rate card's unit (amounts as decimal strings)."""

    cap_of: str = Field(description="team or account")
    name: str
    unit: str
    estimate: str = Field(description="This submission's estimate.")
    spent: str = Field(description="Spent this calendar month so far, against this cap.")
    would_be: str
    cap: str


class Refusal(Error):
    problems: list[ProblemOut] = []
    spend: SpendOut | None = Field(None, description="Set when a monthly spending cap refused "
                                                     "it (field team.monthly_cap or "
                                                     "account.monthly_cap).")


def storyboard_out(board: Storyboard) -> dict:
    """A board loaded with convert.with_related, as the API shows it."""
    return {**to_item(to_value(board)), "title": board.title, "id": board.pk,
            "version": board.version,
            "target": target_of(board.account, board.dialect, board.model)}


def _load(team, pk) -> Storyboard:
    return get_for_team(with_related(Storyboard.objects), team, pk=pk)


# --- the body in, as an EditorState ---------------------------------------------------------


def _account(team, target, current: Storyboard | None):
    if target is None:
        return current.account if current is not None else None
    if target.account is None:
        if target.dialect not in ("animatic", None):
            raise ApiError(422, "target.dialect: without an account the target is the local "
                                "preview: dialect animatic", "target.dialect")
        return None
    account = for_team(ProviderAccount, team).filter(label=target.account).first()
    if account is None:
        raise ApiError(422, f"target.account: “{target.account[:60]}” is not one of this "
                            f"team's provider accounts (give its label)", "target.account")
    if target.dialect not in (account.dialect, None, "animatic"):
        raise ApiError(422, f"target.dialect: the account {account.label} is {account.dialect}, "
                            f"not {target.dialect[:20]}", "target.dialect")
    return account


def _model(body, current: Storyboard | None) -> str:
    wanted = body.target.model if body.target is not None else None
    if body.omni_version and wanted and body.omni_version != wanted:
        raise ApiError(422, "target.model: it and omni_version name different models",
                       "target.model")
    return wanted or body.omni_version or (current.model if current else "v3")


_QUOTED = re.compile(r"'([A-Za-z_0-9]+)'")


def _value(raw: dict, dialect: str):
    try:
        return parse_batch(json.dumps(raw, ensure_ascii=False), dialect).items[0].storyboard
    except BatchFormatError as error:
        named = _QUOTED.search(str(error))
        raise ApiError(422, str(error), named.group(1) if named else None) from None


def _refused(refused: Refused) -> ApiError:
    field, message = next(iter(refused.messages.items()))
    detail = "; ".join(f"{f}: {m}" for f, m in refused.messages.items())
    return ApiError(422, detail, field)


# The import names a slot in `where` ("item 1, image_1") and other fields in its words.
_NAMED = [(re.compile(r"^(omni_version|mode|aspect_ratio)\b"), lambda m: m.group(1)),
          (re.compile(r"^the (title|prompt|negative_prompt|duration|count)\b"),
           lambda m: m.group(1)),
          (re.compile(r"^the shot (\d+) (prompt|duration)\b"),
           lambda m: f"shots[{int(m.group(1)) - 1}].{m.group(2)}"),
          (re.compile(r"^\d+ shots\b"), lambda m: "shots")]


def _problem_field(problem) -> str | None:
    if ", " in problem.where:
        return problem.where.split(", ", 1)[1]
    for pattern, name in _NAMED:
        found = pattern.search(problem.message)
        if found:
            return name(found)
    return None


def _import_refused(refused: ImportRefused) -> ApiError:
    field = _problem_field(refused.problems[0])
    return ApiError(422, "; ".join(f"{p.where.removeprefix('item 1, ').removeprefix('item 1')}"
                                   f": {p.message}".lstrip(": ") for p in refused.problems),
                    field)


def _write(request, body, board: Storyboard | None) -> Storyboard:
    """Create (board None) or update `board` from `body`, as the batch import reads an item."""
    account = _account(request.team, body.target, board)
    raw = body.model_dump(exclude_unset=True, exclude={"target", "version"})
    raw["omni_version"] = _model(body, board)
    value = _value(raw, account.dialect if account else "animatic")
    title = " ".join(value.settings.title.split())
    problems = []
    found = check_item(1, value, finders_for(request.team), problems)
    if problems:
        error = _import_refused(ImportRefused(problems))
        if error.field == "omni_version" and body.target is not None and body.target.model:
            error.field = "target.model"  # the model was given there
        raise error

    def state(stored):
        made = state_of_item(value, title, found, stored)
        return replace(made, account_id=account.pk if account else None,
                       version=body.version if board is not None else 1)

    try:
        check_state(state({}))  # before anything is downloaded
        fetched = fetch_addresses([found]) if found.addresses else {}
        with storing(request.team, request.user) as store, transaction.atomic():
            stored = {url: store(prepared).item.pk for url, prepared in fetched.items()}
            if board is None:
                board = create_board(request.team, request.user, state(stored))
            else:
                write_board(board, state(stored))
    except Refused as refused:
        raise _refused(refused) from None
    except ImportRefused as refused:
        raise _import_refused(refused) from None
    except StaleVersion as stale:
        raise ApiError(409, f"version: the storyboard is at version {stale.current.version}, "
                            f"not {body.version}: start from its current state (in `current`)",
                       "version", extra={"current": storyboard_out(stale.current)}) from None
    return _load(request.team, board.pk)


# --- the operations -------------------------------------------------------------------------

_ID = Path(..., ge=1, le=MAX_ID)


@router.get("", response={200: StoryboardPage, **ERRORS}, auth=VIEW, summary="List storyboards")
def list_storyboards(request, params: Query[PageParams]):
    rows, cursor = page(with_related(for_team(Storyboard, request.team)), params,
                        pk=keyset.int_pk)
    return {"items": [storyboard_out(b) for b in rows], "next": cursor}


@router.post("", response={201: StoryboardOut, **ERRORS}, auth=EDIT,
             summary="Create a storyboard")
def create_storyboard(request, payload: StoryboardIn):
    return Status(201, storyboard_out(_write(request, payload, None)))


@router.get("/{board_id}", response={200: StoryboardOut, **ERRORS}, auth=VIEW,
            summary="One storyboard")
def get_storyboard(request, board_id: int = _ID):
    return storyboard_out(_load(request.team, board_id))


@router.put("/{board_id}", response={200: StoryboardOut, 409: Conflict, **{
    k: v for k, v in ERRORS.items() if k != 409}}, auth=EDIT, summary="Replace a storyboard")
def update_storyboard(request, payload: StoryboardUpdate, board_id: int = _ID):
    board = load_board(request.team, board_id)
    return storyboard_out(_write(request, payload, board))


@router.delete("/{board_id}", response={204: None, **ERRORS}, auth=EDIT,
               summary="Delete a storyboard")
def remove_storyboard(request, board_id: int = _ID):
    board = get_for_team(Storyboard, request.team, pk=board_id)
    try:
        delete_storyboard(board)
    except BoardError as refused:
        raise ApiError(409, str(refused)) from None
    return Status(204, None)


@router.post("/{board_id}/check", response={200: CheckReport, **ERRORS}, auth=VIEW,
             summary="Check a storyboard against its target (storyboard_check's report)")
def check_storyboard(request, board_id: int = _ID):
    board = _load(request.team, board_id)
    value = to_value(board)
    return check(value, value.target, context_for(board.account)).to_dict()


@router.post("/{board_id}/submit", response={200: JobOut, 201: JobOut, 409: Conflict,
                                            422: Refusal, **{k: v for k, v in ERRORS.items()
                                                             if k not in (409, 422)}},
             auth=EDIT, summary="Submit a storyboard: one job per Idempotency-Key")
def submit_storyboard(request, board_id: int = _ID,
                      idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1,
                                                    max_length=IDEMPOTENCY_KEY_MAX,
                                                    pattern=r"^[\x21-\x7e]+$"),
                      version: int | None = Query(None, ge=1, le=MAX_ID)):
    board = _load(request.team, board_id)
    if version is not None and version != board.version:
        raise ApiError(409, f"version: the storyboard is at version {board.version}, not "
                            f"{version}", "version", extra={"current": storyboard_out(board)})
    # Namespaced by token: never the same key as a page's submit or another token's.
    key = f"api:{request.api_token.pk}:{idempotency_key}"
    existed = Job.objects.filter(team=request.team, submit_key=key).exists()
    try:
        job = submit_job(board, request.user, key, version=version)
    except SubmitRefused as refused:
        if refused.spend is not None:  # a monthly cap: 422 like every refused submit
            cap = refused.spend.cap
            raise ApiError(422, str(refused), cap.field if cap else "rate_card",
                           extra={"problems": [], "spend": refused.spend.figures() or None}
                           ) from None
        errors = refused.report.errors if refused.report else []
        raise ApiError(422, " ".join([str(refused), *(p.message for p in errors)])[:2000],
                       errors[0].field if errors else None,
                       extra={"problems": [p.to_dict() for p in errors]}) from None
    job = Job.objects.select_related("account").prefetch_related("clips").get(pk=job.pk)
    return Status(200 if existed else 201, job_out(job))
