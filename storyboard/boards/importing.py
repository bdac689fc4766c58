"""Batch files in and out of the editor (docs/command-line.md, “The batch file format”). One item
per
storyboard. A reference resolves to exactly one library
item — an image or video by its display name, its file name or its sha256, an element by its
name — or the import is refused with a message per unresolved reference: nothing is guessed and
nothing is half-imported."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from storyboard.boards.models import (
    ASPECT_RATIOS,
    MODELS,
    MODES,
    PROMPT_MAX,
    REFER_TYPES,
    ROLES,
    TITLE_MAX,
    Storyboard,
)
from storyboard.boards.state import MAX_SHOTS, MIN_SHOTS, RAW_MAX, Refused
from storyboard.boards.writing import check_state, create_board, state_from_value
from storyboard.library import access
from storyboard.library.images import display_name
from storyboard.library.models import ReferenceVideo
from storyboard.rules import BatchFormatError, dump_batch, parse_batch
from storyboard.rules.model import SLOT_NAMES, slot_kind

MAX_FILE_BYTES = 1_000_000
MAX_ITEMS = 50
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ImportProblem:
    where: str  # "item 2, image_1"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ImportRefused(Exception):
    def __init__(self, problems: list[ImportProblem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


class _Finder:
    """Library items of a team by every name a batch file may use for them."""

    def __init__(self, rows):
        self.by_key: dict[str, set[int]] = defaultdict(set)
        for pk, name, sha in rows:
            self.by_key[name.casefold()].add(pk)
            if sha:
                self.by_key[sha.lower()].add(pk)

    def find(self, ref: str) -> tuple[int | None, str]:
        ref = ref.strip()
        keys = [ref.lower()] if _SHA256.fullmatch(ref.lower()) else []
        keys += [ref.casefold(), display_name(ref, default="").casefold()]
        for key in keys:
            found = self.by_key.get(key)
            if found and len(found) == 1:
                return next(iter(found)), ""
            if found:
                return None, (f"{len(found)} library items are called “{ref}”: rename one, or "
                              f"refer to it by its sha256")
        return None, ""


def _finders(team):
    images = _Finder(access.visible_images(team).values_list("pk", "name", "sha256"))
    videos = _Finder(ReferenceVideo.objects.filter(team=team).values_list("pk", "name", "sha256"))
    elements = _Finder(
        (e.current_version_id, e.current_version.name, "")
        for e in access.visible_elements(team).filter(current_version__isnull=False))
    return {"image": images, "video": videos, "element": elements}


_WHAT = {"image": "image", "video": "reference video", "element": "element"}
_MODEL_IDS, _MODE_IDS = {m for m, _ in MODELS}, {m for m, _ in MODES}
_RATIO_IDS, _ROLE_IDS = {a for a, _ in ASPECT_RATIOS}, {r for r, _ in ROLES}
_REFER_IDS = {r for r, _ in REFER_TYPES}


def _check_item(n: int, value, finders, problems: list[ImportProblem]) -> dict[str, int]:
    where = f"item {n}"
    st = value.settings
    if value.target.model not in _MODEL_IDS:
        problems.append(ImportProblem(where, f"omni_version “{value.target.model}” is not one "
                                             f"of o1, v3"))
    if st.mode not in _MODE_IDS:
        problems.append(ImportProblem(where, f"mode “{st.mode}” is not one of std, pro, 4k"))
    if st.aspect_ratio not in _RATIO_IDS:
        problems.append(ImportProblem(where, f"aspect_ratio “{st.aspect_ratio}” is not one of "
                                             f"16:9, 9:16, 1:1, auto"))
    if st.multi_shot and not MIN_SHOTS <= len(value.shots) <= MAX_SHOTS:
        problems.append(ImportProblem(where, f"{len(value.shots)} shots; a storyboard holds "
                                             f"{MIN_SHOTS}–{MAX_SHOTS}"))
    texts = [("prompt", st.prompt), ("negative_prompt", st.negative_prompt)]
    texts += [(f"shot {i + 1} prompt", s.prompt) for i, s in enumerate(value.shots)]
    for label, text in texts:
        if len(text) > PROMPT_MAX:
            problems.append(ImportProblem(where, f"the {label} has {len(text):,} characters; "
                                                 f"at most {PROMPT_MAX:,} can be saved"))
    raws = [("duration", st.duration), ("count", st.count)]
    raws += [(f"shot {i + 1} duration", s.duration) for i, s in enumerate(value.shots)]
    for label, raw in raws:
        if len(str(raw)) > RAW_MAX:
            problems.append(ImportProblem(where, f"the {label} is not a number of seconds"))
    if len(st.title) > TITLE_MAX:
        problems.append(ImportProblem(where, f"the title has more than {TITLE_MAX} characters"))
    found = {}
    for slot, att in value.sorted_attachments():
        kind = slot_kind(slot)
        if slot not in SLOT_NAMES or kind is None:
            problems.append(ImportProblem(f"{where}, {slot}", "no such reference slot"))
            continue
        if kind == "image" and att.role not in _ROLE_IDS:
            problems.append(ImportProblem(f"{where}, {slot}", f"role “{att.role}” is not one "
                                          f"of reference, first_frame, end_frame"))
        if kind == "video" and att.refer_type not in _REFER_IDS:
            problems.append(ImportProblem(f"{where}, {slot}", f"refer_type “{att.refer_type}” "
                                          f"is not one of feature, base"))
        pk, why = finders[kind].find(att.ref or att.name)
        if pk is None and kind == "element" and att.name and att.name != att.ref:
            pk, why = finders[kind].find(att.name)
        if pk is None:
            problems.append(ImportProblem(
                f"{where}, {slot}",
                why or f"“{att.ref}” matches no {_WHAT[kind]} in the library (by "
                       f"{'name' if kind == 'element' else 'name, file name or sha256'})"))
            continue
        found[slot] = pk
    return found


def import_batch(team, user, text: str, filename: str = "batch file") -> list[Storyboard]:
    """Create one storyboard per item of the batch file `text`, all or none."""
    if len(text.encode()) > MAX_FILE_BYTES:
        raise ImportRefused([ImportProblem(filename, "larger than 1 MB: not a batch file")])
    try:
        batch = parse_batch(text, dialect="animatic")
    except BatchFormatError as e:
        raise ImportRefused([ImportProblem(filename, str(e))]) from None
    if len(batch.items) > MAX_ITEMS:
        raise ImportRefused([ImportProblem(filename, f"{len(batch.items)} items; at most "
                                                     f"{MAX_ITEMS} at a time")])
    finders = _finders(team)
    problems: list[ImportProblem] = []
    resolved = [_check_item(n, item.storyboard, finders, problems)
                for n, item in enumerate(batch.items, 1)]
    if problems:
        raise ImportRefused(problems)
    stem = display_name(filename, default="batch file")
    states = []
    for n, (item, slots) in enumerate(zip(batch.items, resolved, strict=True), 1):
        title = " ".join(item.storyboard.settings.title.split())
        state = state_from_value(item.storyboard, account_id=None, slots=slots, title=title or (
            f"{stem} · item {n}" if batch.is_list else stem)[:TITLE_MAX])
        try:
            check_state(state)
        except Refused as refused:
            problems += _problems(n, refused)
        states.append(state)
    if problems:
        raise ImportRefused(problems)
    boards = []
    with transaction.atomic():  # all or none
        for n, state in enumerate(states, 1):
            try:
                boards.append(create_board(team, user, state))
            except Refused as refused:  # an item deleted or unshared since it was found
                raise ImportRefused(_problems(n, refused)) from None
    return boards


def _problems(n: int, refused: Refused) -> list[ImportProblem]:
    return [ImportProblem(f"item {n}, {field}", message.rstrip("."))
            for field, message in refused.messages.items()]


def export_batch(boards) -> str:
    """Batch file text for boards loaded with `convert.with_related`."""
    from storyboard.boards.convert import to_value

    return dump_batch([to_value(b) for b in boards], as_list=True)
