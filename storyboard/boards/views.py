"""The storyboards list and the editor. One template per page serves the page and its htmx
fragments (django-template-partials); every write goes through boards/actions.py, and what
the list's rows show is read in boards/listing.py."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from storyboard.boards import actions, importing, listing, tasks
from storyboard.boards.actions import BoardError, StaleVersion
from storyboard.boards.convert import with_related
from storyboard.boards.editing import Checked, dom_id, rate_key, run_checks
from storyboard.boards.models import (
    ASPECT_RATIOS,
    MODELS,
    MODES,
    REFER_TYPES,
    ROLES,
    Preview,
    RateCard,
    Storyboard,
)
from storyboard.boards.state import (
    MAX_SHOTS,
    MIN_SHOTS,
    EditorState,
    Refused,
    SlotState,
    element_facts,
    items_of_board,
    load_board,
    parse_state,
    resolve_items,
    state_from_board,
    target_value,
    thumbnail_of,
    to_rules_value,
)
from storyboard.library import access
from storyboard.library.models import ReferenceImage, ReferenceVideo
from storyboard.library.serving import serve_stored_file
from storyboard.rules.model import slot_sort_key
from storyboard.teams.decorators import team_required
from storyboard.teams.models import ProviderAccount
from storyboard.teams.scoping import for_team, get_for_team

LIBRARY_ITEMS = 200
# What editor.js clones for a slot filled in the browser; it fills in the __…__ placeholders.
SLOT_TEMPLATES = [
    {"kind": kind, "name": "__NAME__", "thumb": "__THUMB__", "problems": [],
     "state": {"name": "__SLOT__", "form_value": "__REF__", "role": "reference",
               "refer_type": "feature", "keep_original_sound": False}}
    for kind in ("image", "element", "video")
]


# --- list, create, duplicate, delete -------------------------------------------------------


def _index_context(request, **extra) -> dict:
    q = listing.clean_search(request.GET.get("q", ""))
    sort = listing.clean_sort(request.GET.get("sort", "changed"))
    page = listing.clean_page(request.GET.get("page", ""))
    rows, pager = listing.board_rows(request.team, q, sort, page=page)
    return {"rows": rows, "pager": pager, "q": q, "sort": sort,
            "can_edit": request.membership.can("edit"), **extra}


@require_GET
@team_required("view")
def index(request):
    context = _index_context(request)
    if request.htmx and request.htmx.target == "board-list":
        return render(request, "boards/index.html#board_list", context)
    return render(request, "boards/index.html", context)


@require_POST
@team_required("edit")
def create(request):
    try:
        board = actions.create_storyboard(request.team, request.user, request.POST.get("title"))
    except BoardError as e:
        return render(request, "boards/index.html",
                      _index_context(request, create_error=str(e),
                                     new_title=request.POST.get("title", "")[:300]),
                      status=422)
    return redirect(board)


@require_POST
@team_required("edit")
def duplicate(request, board_id: int):
    board = get_for_team(Storyboard.objects.prefetch_related("shots", "slots"), request.team,
                         pk=board_id)
    copy = actions.duplicate_storyboard(board, request.user)
    messages.success(request, f"Duplicated as “{copy.title}”.")
    return redirect(copy)


@require_POST
@team_required("edit")
def delete(request, board_id: int):
    board = get_for_team(Storyboard, request.team, pk=board_id)
    try:
        actions.delete_storyboard(board)
    except BoardError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"Deleted “{board.title}”.")
    return redirect("boards:index")


# --- the editor ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _url_maker(name: str, variant: str):
    """pk -> URL of a library media view, reversed once per page instead of once per item."""
    sentinel = 987654321
    pattern = reverse(name, args=[sentinel, variant])
    return lambda pk: pattern.replace(str(sentinel), str(pk))


@dataclass
class ShotView:
    index: int
    prompt: str
    duration: str
    prompt_problems: list = field(default_factory=list)
    duration_problems: list = field(default_factory=list)
    counter: object = None

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def grow(self) -> int:
        try:
            return min(15, max(1, int(self.duration)))  # the stylesheet has 1-15
        except ValueError:
            return 1


@dataclass
class SlotView:
    state: SlotState
    name: str
    thumb: str
    problems: list
    is_video_element: bool = False
    is_provider_id: bool = False  # a provider's own element id: no library item, no picture

    @property
    def kind(self) -> str:
        return self.state.kind


def _slot_views(state: EditorState, items: dict, checked: Checked) -> list[SlotView]:
    views = []
    for s in sorted(state.slots, key=lambda s: slot_sort_key(s.name)):
        item = items[s.name]
        problems = checked.problems_of(s.name)
        if s.provider_id:
            views.append(SlotView(s, s.provider_id, "", problems, is_provider_id=True))
            continue
        # An item the team may no longer use (a share was revoked) is not served to it either.
        if any(p.code == "slot_unavailable" for p in problems):
            thumb = ""
        else:
            url, (pk, variant) = thumbnail_of(s.kind, item)
            thumb = _url_maker(url, variant)(pk)
        is_video_element = s.kind == "element" and item.element.kind == "video"
        views.append(SlotView(s, item.name, thumb, problems, is_video_element))
    return views


def _shot_views(state: EditorState, checked: Checked) -> list[ShotView]:
    counters = {c.field: c for c in checked.counters}
    return [ShotView(i, p, d, checked.problems_of(f"shots[{i}].prompt"),
                     checked.problems_of(f"shots[{i}].duration"),
                     counters.get(f"shots[{i}].prompt"))
            for i, (p, d) in enumerate(state.shots)]


def _targets(accounts) -> list[tuple[str, list[tuple[str, str]]]]:
    models = [(m, label) for m, label in MODELS]
    groups = [("Local preview (animatic), free",
               [(target_value(None, m), f"Local preview (animatic) · {label}")
                for m, label in models])]
    for a in accounts:
        sandbox = ", sandbox" if a.sandbox else ""
        groups.append((f"{a.label} ({a.dialect}{sandbox})",
                       [(target_value(a.pk, m), f"{a.label} · {label}") for m, label in models]))
    return groups


@dataclass
class LibraryItem:
    kind: str
    ref: str  # what a slot holds: "image:12", "version:7", "video:3"
    name: str
    thumb: str
    shared: bool = False
    video_element: bool = False


def _library(team) -> dict:
    image_url = _url_maker("library:image_file", "256")
    images = [LibraryItem("image", f"image:{pk}", name, image_url(pk))
              for pk, name in access.visible_images(team).order_by("name", "id")
              .values_list("pk", "name")[:LIBRARY_ITEMS]]
    elements = list(access.visible_elements(team).filter(current_version__isnull=False)
                    .select_related("current_version")[:LIBRARY_ITEMS])
    facts = element_facts([e.current_version for e in elements])
    poster_url = _url_maker("library:version_file", "poster")
    element_items = []
    for e in elements:
        v = e.current_version
        pictures = facts[v.pk].image_ids
        element_items.append(LibraryItem(
            "element", f"version:{v.pk}", v.name,
            image_url(pictures[0]) if pictures else poster_url(v.pk),
            shared=e.team_id != team.pk, video_element=e.kind == "video"))
    video_url = _url_maker("library:video_file", "poster")
    videos = [LibraryItem("video", f"video:{pk}", name, video_url(pk))
              for pk, name in for_team(ReferenceVideo, team).values_list("pk", "name")
              [:LIBRARY_ITEMS]]
    return {"images": images, "elements": element_items, "videos": videos}


def _library_sections(team) -> list[tuple[str, list, str]]:
    found = _library(team)
    return [("Elements", found["elements"], "No elements yet: make one in the"),
            ("Images", found["images"], "No images yet: upload some in the"),
            ("Videos", found["videos"], "")]


def _checked(board: Storyboard, state: EditorState, items: dict, account,
             accounts=None) -> tuple:
    """`accounts`: the team's provider accounts (read here when not given), for the strip."""
    dialect = account.dialect if account is not None else "animatic"
    if accounts is None:
        accounts = list(for_team(ProviderAccount, board.team_id))
    value = to_rules_value(state, dialect, items, team_id=board.team_id)
    # The animatic is free: no rate card to read.
    card = (RateCard.objects.filter(team_id=board.team_id).first() if dialect != "animatic"
            else None)
    return value, run_checks(value, state, account, card, accounts)


def _editor_context(request, board: Storyboard, state: EditorState, items: dict,
                    checked: Checked, **extra) -> dict:
    return {
        "board": board, "state": state, "checked": checked, "report": checked.report,
        "shots": _shot_views(state, checked), "slots": _slot_views(state, items, checked),
        "can_edit": request.membership.can("edit"),
        "min_shots": MIN_SHOTS, "max_shots": MAX_SHOTS, "roles": ROLES,
        "refer_types": REFER_TYPES, "modes": MODES, "aspect_ratios": ASPECT_RATIOS,
        "counters": {dom_id(c.field): c for c in checked.counters},
        **extra,
    }


@require_GET
@team_required("view")
def detail(request, board_id: int):
    board = load_board(request.team, board_id)
    state = state_from_board(board)
    items = {s.name: s.item for s in board.slots.all()}
    accounts = list(for_team(ProviderAccount, request.team))
    _, checked = _checked(board, state, items, board.account, accounts)
    context = _editor_context(request, board, state, items, checked,
                              targets=_targets(accounts),
                              library_sections=_library_sections(request.team),
                              preview=_shown_preview(board, request.membership.can("edit")),
                              slot_templates=SLOT_TEMPLATES)
    return render(request, "boards/editor.html", context)


def _board_for_saving(request, board_id: int) -> Storyboard:
    return load_board(request.team, board_id)


@require_POST
@team_required("edit")
def save(request, board_id: int):
    """Autosave and live check in one: every change of the editor form comes here."""
    board = _board_for_saving(request, board_id)
    try:
        state = parse_state(request.POST, request.team, board.account)
        items = resolve_items(request.team, state.slots, items_of_board(board))
    except Refused as refused:
        return render(request, "boards/editor.html#refused",
                      {"refused": [(dom_id(f), m) for f, m in refused.messages.items()],
                       "board": board}, status=422)
    try:
        saved = actions.save_storyboard(board, state, items)
    except StaleVersion as stale:
        return _conflict(request, stale.current, state)
    except Refused as refused:  # the writer's own check; the view's above normally catches it
        return render(request, "boards/editor.html#refused",
                      {"refused": [(dom_id(f), m) for f, m in refused.messages.items()],
                       "board": board}, status=422)
    account = (ProviderAccount.objects.get(pk=state.account_id)
               if state.account_id and state.account_id != board.account_id
               else board.account if state.account_id else None)
    board.account = account
    _, checked = _checked(board, saved.state, items, account)
    context = _editor_context(request, saved.board, saved.state, items, checked,
                              reshaped=saved.reshaped, changed=saved.changed,
                              oob_fields=_oob_fields(checked))
    # Rendered without the request's context processors: the fragment needs none of them (the
    # CSRF token travels in <body hx-headers>), and this answer is on every keystroke's path.
    return HttpResponse(render_to_string("boards/editor.html#saved", context))


def _oob_fields(checked: Checked) -> str:
    """The problem box beside every field and every counter, as out-of-band swaps: the same
    markup as the page's `problems` partial, built here because an autosave sends some forty of
    them on every keystroke."""
    boxes = format_html_join(
        "\n", '<ul class="problems" id="p-{}" hx-swap-oob="true">{}</ul>',
        ((box_id, format_html_join("", '<li class="{}">{}</li>',
                                   ((p.severity, p.message) for p in box)))
         for box_id, box in checked.boxes))
    counters = format_html_join(
        "\n", '<span id="{}" class="counter{}" hx-swap-oob="true">{}</span>',
        ((c.id, " over" if c.over else "", c.text) for c in checked.counters))
    return boxes + mark_safe("\n") + counters  # noqa: S308 - a constant newline


def _conflict(request, current: Storyboard, mine: EditorState):
    state = state_from_board(current)
    items = {s.name: s.item for s in current.slots.all()}
    slots = [(s.name, items[s.name].name) for s in state.slots]
    return render(request, "boards/editor.html#conflict",
                  {"newer": current, "newer_state": state, "newer_slots": slots,
                   "mine_version": mine.version, "board": current}, status=409)


@require_http_methods(["GET", "POST"])
@team_required("edit")
def preview(request, board_id: int):
    """POST (the Preview button): the animatic of the storyboard as the editor shows it, played
    at once when this state was rendered before, else asked of the worker. GET `?id=`: the
    panel of that render, which the panel itself polls until the render is ready or failed."""
    board = get_for_team(Storyboard, request.team, pk=board_id)
    if request.method == "GET":
        return _preview_panel(request, board)
    error = None
    try:
        state = parse_state(request.POST, request.team)
        items = resolve_items(request.team, state.slots)
        value = to_rules_value(state, "animatic", items, team_id=board.team_id)
        pictures = {}
        for name, item in items.items():
            if isinstance(item, ReferenceImage):
                pictures[name] = item
            elif not isinstance(item, ReferenceVideo):
                frontal = item.frontal
                if frontal is not None:
                    pictures[name] = frontal
        shown = actions.request_preview(board, value, pictures)
    except Refused as refused:
        shown, error = None, "Not rendered: " + " ".join(refused.messages.values())
    except ValueError as e:
        shown, error = None, f"Not rendered yet: {tasks.plain(e)}"
    status = 422 if shown is None else 200 if shown.is_final else 202
    return render(request, "boards/editor.html#preview",
                  {"board": board, "preview": shown, "preview_error": error}, status=status)


def _preview_panel(request, board: Storyboard):
    """The panel of one render for the panel's polling; 286 (stop polling) once it is final.
    A render whose worker stopped is handed out again here (or ends failed, saying why)."""
    wanted = request.GET.get("id", "")
    shown = None
    if wanted.isdigit() and len(wanted) < 12:
        shown = board.previews.filter(pk=int(wanted)).first()
    if shown is None:
        shown = _shown_preview(board, can_edit=True)
    if shown is not None and not shown.is_final:
        shown = tasks.revive_stalled(shown)
    response = render(request, "boards/editor.html#preview", {"board": board, "preview": shown})
    if shown is None or shown.is_final:
        return HttpResponseStopPolling(response.content)
    return response


def _shown_preview(board: Storyboard, can_edit: bool) -> Preview | None:
    """What the panel shows when the editor opens: the latest render, or for an editor the one
    under way (its panel goes on polling); a failed render is not worth showing again."""
    previews = board.previews.exclude(state=Preview.State.FAILED)
    if not can_edit:  # only editors may ask how a render goes
        previews = previews.filter(state=Preview.State.READY)
    return previews.first()


@require_GET
@team_required("view")
def preview_file(request, preview_id: int):
    shown = get_for_team(Preview.objects.filter(state=Preview.State.READY), request.team,
                         field="storyboard__team", pk=preview_id)
    return serve_stored_file(request, shown.file, "video/mp4")


@require_GET
@team_required("view")
def export(request, board_id: int):
    board = get_for_team(with_related(Storyboard.objects), request.team, pk=board_id)
    text = importing.export_batch([board])
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    name = slugify(board.title)[:60] or f"storyboard-{board.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
@team_required("edit")
def import_view(request):
    context: dict = {"problems": None}
    if request.method == "POST":
        upload = request.FILES.get("file")
        # A pasted text may start with a byte-order mark, like a file: treat both alike.
        text = request.POST.get("text", "").removeprefix("\ufeff")
        name = "pasted text"
        if upload is not None:
            name = upload.name or "batch file"
            if upload.size > importing.MAX_FILE_BYTES:
                text = None
            else:
                raw = upload.read()
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = None
        try:
            if text is None:
                raise importing.ImportRefused([importing.ImportProblem(
                    name, "not a UTF-8 text file under 1 MB: not a batch file")])
            if not text.strip():
                raise importing.ImportRefused([importing.ImportProblem(
                    "File", "choose a batch file (.json) or paste its text")])
            boards = importing.import_batch(request.team, request.user, text, name)
        except importing.ImportRefused as refused:
            context.update(problems=refused.problems, text=request.POST.get("text", ""))
            return render(request, "boards/import.html", context, status=422)
        if len(boards) == 1:
            messages.success(request, f"Imported “{boards[0].title}”.")
            return redirect(boards[0])
        messages.success(request, f"Imported {len(boards)} storyboards.")
        return redirect("boards:index")
    return render(request, "boards/import.html", context)


# --- rate card -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@team_required("manage")
def rates(request):
    card = RateCard.objects.filter(team=request.team).first()
    prices = dict(card.prices) if card else {}
    unit = card.unit if card else ""
    errors: dict[str, str] = {}
    if request.method == "POST":
        raw = {rate_key(d, m, mode): request.POST.get(rate_key(d, m, mode), "")
               for d, m, mode in actions.rate_fields()}
        try:
            actions.save_rate_card(request.team, request.user, request.POST.get("unit", ""), raw)
        except Refused as refused:
            errors, prices, unit = refused.messages, raw, request.POST.get("unit", "")
        else:
            messages.success(request, "Rate card saved.")
            return redirect("boards:rates")
    rows: dict[tuple[str, str], list] = {}
    for d, m, mode in actions.rate_fields():
        key = rate_key(d, m, mode)
        rows.setdefault((d, m), []).append(
            {"key": key, "mode": mode, "value": prices.get(key, ""), "error": errors.get(key)})
    return render(request, "boards/rates.html", {
        "rows": [{"dialect": d, "model": m, "cells": cells} for (d, m), cells in rows.items()],
        "modes": [m for m, _ in MODES], "unit": unit, "unit_error": errors.get("unit"),
        "empty": not prices, "errors": errors,
    }, status=422 if errors else 200)
