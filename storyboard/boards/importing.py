"""Batch files in and out of the editor (docs/command-line.md, “The batch file format”). One item
per storyboard. A reference resolves to exactly one library item — an image or video by its
display name, its file name or its sha256, an element by its name — or is one of the two things
a batch file may give instead, as `omni_batch` takes them: an element given by a provider's own
id (`u_…` or a whole number), kept as that id, or an image at a web address, downloaded and
added to the library like an upload. Anything else is refused with a message per reference:
nothing is guessed and nothing is half-imported."""

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
from storyboard.boards.state import MAX_SHOTS, MIN_SHOTS, RAW_MAX, Refused, is_provider_id
from storyboard.boards.writing import check_state, create_board, state_from_value
from storyboard.library import access
from storyboard.library.fetching import fetch_image, is_web_address, shown, storing
from storyboard.library.images import MediaRefused, display_name
from storyboard.library.models import ReferenceVideo
from storyboard.rules import BatchFormatError, dump_batch, parse_batch
from storyboard.rules.model import SLOT_NAMES, slot_kind

MAX_FILE_BYTES = 1_000_000
MAX_ITEMS = 50
MAX_ADDRESSES = 20  # images downloaded by one import, while its person waits
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


def finders_for(team):
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


@dataclass
class _Resolved:
    """What fills the slots of one item: library ids, provider element ids, web addresses."""

    library: dict[str, int]
    provider_ids: dict[str, str]
    addresses: dict[str, str]


def check_item(n: int, value, finders, problems: list[ImportProblem]) -> _Resolved:
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
    found = _Resolved({}, {}, {})
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
        ref = att.ref.strip()
        if kind != "element" and is_web_address(ref):
            if kind == "image":
                found.addresses[slot] = ref
            else:
                problems.append(ImportProblem(f"{where}, {slot}", (
                    f"“{shown(ref)}” is a web address: a video is not downloaded by an import; "
                    f"upload it to the library and name it here")))
            continue
        pk, why = finders[kind].find(att.ref or att.name)
        if pk is None and kind == "element" and att.name and att.name != att.ref:
            pk, why = finders[kind].find(att.name)
        if pk is None and kind == "element" and not why and is_provider_id(ref):
            found.provider_ids[slot] = ref  # the provider's own element, sent as is
            continue
        if pk is None:
            also = (", and is not a provider's element id (u_… or a whole number)"
                    if kind == "element" else "")
            problems.append(ImportProblem(
                f"{where}, {slot}",
                why or f"“{att.ref}” matches no {_WHAT[kind]} in the library (by "
                       f"{'name' if kind == 'element' else 'name, file name or sha256'}){also}"))
            continue
        found.library[slot] = pk
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
    finders = finders_for(team)
    problems: list[ImportProblem] = []
    resolved = [check_item(n, item.storyboard, finders, problems)
                for n, item in enumerate(batch.items, 1)]
    addresses = {url for r in resolved for url in r.addresses.values()}
    if len(addresses) > MAX_ADDRESSES:
        problems.append(ImportProblem(filename, (
            f"{len(addresses)} images are given by web address; an import downloads at most "
            f"{MAX_ADDRESSES}: add the others to the library first and name them")))
    if problems:
        raise ImportRefused(problems)
    stem = display_name(filename, default="batch file")
    titles = []
    for n, (item, found) in enumerate(zip(batch.items, resolved, strict=True), 1):
        title = " ".join(item.storyboard.settings.title.split())
        titles.append(title or (f"{stem} · item {n}" if batch.is_list else stem)[:TITLE_MAX])
        # Checked before anything is downloaded; the downloaded images fill their slots later.
        try:
            check_state(state_of_item(item.storyboard, titles[-1], found, {}))
        except Refused as refused:
            problems += _problems(n, refused)
    if problems:
        raise ImportRefused(problems)
    fetched = fetch_addresses(resolved)
    boards = []
    with storing(team, user) as store, transaction.atomic():  # all or none
        stored = {url: store(prepared).item.pk for url, prepared in fetched.items()}
        for n, (item, found, title) in enumerate(zip(batch.items, resolved, titles,
                                                     strict=True), 1):
            try:
                boards.append(create_board(team, user, state_of_item(item.storyboard, title, found,
                                                              stored)))
            except Refused as refused:  # an item deleted or unshared since it was found
                raise ImportRefused(_problems(n, refused)) from None
    return boards


def state_of_item(value, title: str, found: _Resolved, stored: dict[str, int]):
    """The item's EditorState: its library items, provider ids, and the images downloaded
    from its addresses (`stored`: address -> library id; none yet when only checking)."""
    slots = dict(found.library)
    slots.update({slot: stored[url] for slot, url in found.addresses.items() if url in stored})
    return state_from_value(value, account_id=None, title=title, slots=slots,
                            provider_ids=found.provider_ids)


def fetch_addresses(resolved: list[_Resolved]) -> dict[str, object]:
    """address -> the image downloaded from it, checked like an upload; each address once.
    ImportRefused naming every item and slot whose address gave no usable image."""
    fetched, refused, problems = {}, {}, []
    for n, found in enumerate(resolved, 1):
        for slot, url in sorted(found.addresses.items()):
            if url not in fetched and url not in refused:
                try:
                    fetched[url] = fetch_image(url)
                except MediaRefused as error:
                    refused[url] = str(error)
            if url in refused:
                problems.append(ImportProblem(f"item {n}, {slot}", refused[url]))
    if problems:
        raise ImportRefused(problems)
    return fetched


def _problems(n: int, refused: Refused) -> list[ImportProblem]:
    return [ImportProblem(f"item {n}, {field}", message.rstrip("."))
            for field, message in refused.messages.items()]


def export_batch(boards) -> str:
    """Batch file text for boards loaded with `convert.with_related`."""
    from storyboard.boards.convert import to_value

    return dump_batch([to_value(b) for b in boards], as_list=True)
