"""The one writer of a storyboard's rows (the board, its shots, its slots) from an EditorState.

Create, save, duplicate, import and remix all end in `write_board`, so the same state gives the
same rows whichever way it came in, and every way in is held to the same limits: what no
storyboard can hold is refused naming the field (`Refused`, nothing written), and no slot is
ever written pointing at a library item the board's team may not use.

Kept cheap for the autosave: an unchanged state costs no query, a changed one one statement per
kind of change (board, shots, slots), and only slots whose item changes are looked up in the
library (a slot that keeps its item was checked when it was filled and is protected since).
"""

from __future__ import annotations

from dataclasses import replace

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from storyboard.boards.models import (
    ASPECT_RATIOS,
    MODELS,
    MODES,
    PROMPT_MAX,
    REFER_TYPES,
    ROLES,
    TITLE_MAX,
    Shot,
    Slot,
    Storyboard,
)
from storyboard.boards.state import (
    MAX_SHOTS,
    MIN_SHOTS,
    RAW_MAX,
    EditorState,
    Refused,
    SlotState,
    is_provider_id,
    state_from_board,
)
from storyboard.library import access
from storyboard.library.models import ElementVersion, ReferenceImage, ReferenceVideo
from storyboard.rules.model import SLOT_NAMES, slot_kind
from storyboard.teams.models import ProviderAccount

_MODEL_IDS = {m for m, _ in MODELS}
_MODE_IDS = {m for m, _ in MODES}
_RATIO_IDS = {a for a, _ in ASPECT_RATIOS}
_ROLE_IDS = {r for r, _ in ROLES}
_REFER_IDS = {r for r, _ in REFER_TYPES}
_ITEM_MODEL = {"image": ReferenceImage, "element": ElementVersion, "video": ReferenceVideo}
_WHAT = {"image": "image", "element": "element", "video": "video"}


class StaleVersion(Exception):
    """The save started from an older version than the one stored (another tab saved since)."""

    def __init__(self, current: Storyboard):
        super().__init__(f"storyboard {current.pk} is at version {current.version}")
        self.current = current


# --- what any storyboard may hold ------------------------------------------------------------


def check_state(state: EditorState) -> None:
    """Refused (naming each field) when `state` holds what no storyboard can: the limits the
    editor form, the batch import and a job's snapshot are all held to."""
    errors: dict[str, str] = {}
    if not state.title.strip():
        errors["title"] = "Give the storyboard a title."
    elif len(state.title) > TITLE_MAX:
        errors["title"] = (f"A title has at most {TITLE_MAX} characters; this one has "
                           f"{len(state.title)}.")
    if state.model not in _MODEL_IDS:
        errors["target"] = f"“{state.model[:20]}” is not a model: choose v3 or o1."
    if state.mode not in _MODE_IDS:
        errors["mode"] = f"“{state.mode[:20]}” is not a mode: choose std, pro or 4k."
    if state.aspect_ratio not in _RATIO_IDS:
        errors["aspect_ratio"] = (f"“{state.aspect_ratio[:20]}” is not an aspect ratio: choose "
                                  f"16:9, 9:16, 1:1 or auto.")
    for name, text in (("prompt", state.prompt), ("negative_prompt", state.negative_prompt)):
        if len(text) > PROMPT_MAX:
            errors[name] = (f"The {name.replace('_', ' ')} has {len(text):,} characters; at "
                            f"most {PROMPT_MAX:,} can be saved.")
    for name, raw in (("duration", state.duration), ("count", state.count)):
        if len(raw) > RAW_MAX:
            errors[name] = f"The {name} has more than {RAW_MAX} characters: not a number."
    _check_shots(state, errors)
    _check_slots(state.slots, errors)
    if errors:
        raise Refused(errors)


def _check_shots(state: EditorState, errors: dict) -> None:
    if not state.multi_shot:
        if state.shots:
            errors["shots"] = "A single-shot storyboard has no timeline: its shots cannot be saved."
        return
    if not MIN_SHOTS <= len(state.shots) <= MAX_SHOTS:
        errors["shots"] = (f"The timeline holds {MIN_SHOTS}–{MAX_SHOTS} shots; this one has "
                           f"{len(state.shots)}.")
    for i, (prompt, duration) in enumerate(state.shots):
        if len(prompt) > PROMPT_MAX:
            errors[f"shots[{i}].prompt"] = (f"Shot {i + 1}'s prompt has {len(prompt):,} "
                                            f"characters; at most {PROMPT_MAX:,} can be saved.")
        if len(duration) > RAW_MAX:
            errors[f"shots[{i}].duration"] = f"Shot {i + 1}'s duration is not a number of seconds."


def _check_slots(slots: tuple[SlotState, ...], errors: dict) -> None:
    seen = set()
    for s in slots:
        if s.name not in SLOT_NAMES:
            errors["slots"] = f"{s.name[:20]!r} is not a reference slot."
            continue
        if s.name in seen:
            errors[s.name] = f"@{s.name} is filled twice."
        seen.add(s.name)
        if s.provider_id:
            _check_provider_slot(s, errors)
        elif not isinstance(s.item_id, int) or isinstance(s.item_id, bool) or s.item_id < 1:
            errors[s.name] = f"@{s.name} holds no {_WHAT[s.kind]}."
        elif s.role not in _ROLE_IDS or (s.kind != "image" and s.role != "reference"):
            errors[s.name] = f"@{s.name}: the role “{s.role[:20]}” is not one it can have."
        elif s.refer_type not in _REFER_IDS or (s.kind != "video" and s.refer_type != "feature"):
            errors[s.name] = f"@{s.name}: “{s.refer_type[:20]}” is not a way it can be used."
        elif s.keep_original_sound and s.kind != "video":
            errors[s.name] = f"@{s.name} has no sound to keep: only a video has."


def _check_provider_slot(s: SlotState, errors: dict) -> None:
    """A provider's element id: an element slot, the id in one of the shapes providers give,
    and nothing else (no library item, no role, use or sound)."""
    if s.kind != "element":
        errors[s.name] = f"@{s.name} is not an element slot: it cannot hold a provider's id."
    elif not isinstance(s.provider_id, str) or not is_provider_id(s.provider_id):
        errors[s.name] = (f"@{s.name}: “{str(s.provider_id)[:30]}” is not a provider's element "
                          f"id (u_… or a whole number).")
    elif s.item_id or (s.role, s.refer_type, s.keep_original_sound) != (
            "reference", "feature", False):
        errors[s.name] = f"@{s.name} holds a provider's id and nothing else."


# --- whose library items ---------------------------------------------------------------------


def _owned(team_id: int, slot: SlotState, item) -> bool:
    """Whether `item` (a library object passed in for `slot`) is the slot's item and the
    team's own: then no query is needed to know the team may use it."""
    if not isinstance(item, _ITEM_MODEL[slot.kind]) or item.pk != slot.item_id:
        return False
    owner = item.element.team_id if slot.kind == "element" else item.team_id
    return owner == team_id


def unavailable_slots(team, slots: tuple[SlotState, ...]) -> dict[str, str]:
    """slot name -> why, for the slots whose item the team may not use (not its own, not
    shared with it, or deleted), through the library's visibility rules: a query per kind
    of item asked for, ids only."""
    slots = tuple(s for s in slots if not s.provider_id)  # no library item to check
    wanted: dict[str, set[int]] = {"image": set(), "element": set(), "video": set()}
    for s in slots:
        wanted[s.kind].add(s.item_id)
    visible = {
        "image": access.visible_images(team),
        "element": access.visible_versions(team),
        "video": ReferenceVideo.objects.filter(team=team),
    }
    found = {kind: set(visible[kind].filter(pk__in=ids).values_list("pk", flat=True))
             for kind, ids in wanted.items() if ids}
    return {s.name: (f"@{s.name}: that {_WHAT[s.kind]} is not in this team's library (it may "
                     f"have been deleted, or is no longer shared with this team).")
            for s in slots if s.item_id not in found[s.kind]}


def _check_items(board: Storyboard, state: EditorState, stored: dict[str, SlotState],
                 items: dict[str, object], drop_unavailable: bool) -> EditorState:
    """The state with every new or re-filled slot checked against the team's library: refused
    naming the slot, or (drop_unavailable) left out."""
    unchecked = tuple(
        s for s in state.slots
        if not s.provider_id  # an id of the provider account: nothing of the library
        if (old := stored.get(s.name)) is None or old.item_id != s.item_id
        if not _owned(board.team_id, s, items.get(s.name)))
    if not unchecked:
        return state
    refused = unavailable_slots(board.team_id, unchecked)
    if refused and not drop_unavailable:
        raise Refused(refused)
    return replace(state, slots=tuple(s for s in state.slots if s.name not in refused))


def _check_account(board: Storyboard, state: EditorState) -> None:
    if state.account_id is None or (board.pk and state.account_id == board.account_id):
        return
    if not ProviderAccount.objects.filter(team_id=board.team_id, pk=state.account_id).exists():
        raise Refused({"target": "That provider account is not one of this team's: choose a "
                                 "target."})


# --- the writer ------------------------------------------------------------------------------


def same_state(a: EditorState, b: EditorState) -> bool:
    """Whether the two states would store the same rows (the version aside)."""
    return (a.board_fields() == b.board_fields() and a.shots == b.shots
            and sorted(a.slots, key=lambda s: s.name) == sorted(b.slots, key=lambda s: s.name))


def write_board(board: Storyboard, state: EditorState, items: dict[str, object] | None = None,
                *, drop_unavailable: bool = False) -> EditorState | None:
    """Bring `board` to `state` in one transaction and return the state as stored (its new
    version), or None when nothing changed (and then nothing was written).

    `board` is either new (unsaved, with its team, created_by and parent set; it is inserted at
    version 1 and `state.version` is not used) or stored and loaded with its shots and slots
    (`state.load_board`); then `state.version` must be the stored version (StaleVersion
    otherwise, nothing written) and the version goes up by one. Raises Refused (nothing
    written) for what no storyboard can hold, another team's account, or a slot whose item the
    team may not use. `items`: slot name -> library object already resolved for the team (the
    editor's resolve_items); the team's own need no query. `drop_unavailable`: leave out such
    slots instead of refusing (a copy or remix of what the team can no longer fully use)."""
    new = board.pk is None
    if not new:
        if state.version != board.version:
            raise StaleVersion(_fresh(board))
        before = state_from_board(board)
        if same_state(before, state):
            return None
        stored = {s.name: s for s in before.slots}
    else:
        stored = {}
    check_state(state)
    _check_account(board, state)
    state = _check_items(board, state, stored, items or {}, drop_unavailable)
    now = timezone.now()
    with transaction.atomic():
        if new:
            for name, value in state.board_fields().items():
                setattr(board, name, value)
            board.version, board.created_at, board.updated_at = 1, now, now
            board.save(force_insert=True)
        else:
            updated = Storyboard.objects.filter(pk=board.pk, version=state.version).update(
                **state.board_fields(), version=F("version") + 1, updated_at=now)
            if not updated:
                raise StaleVersion(_fresh(board))
        _write_shots(board, [] if new else list(board.shots.all()), state.shots)
        _write_slots(board, {} if new else {s.name: s for s in board.slots.all()}, state.slots)
    if not new:
        for name, value in state.board_fields().items():
            setattr(board, name, value)
        board.version, board.updated_at = state.version + 1, now
    return replace(state, version=board.version)


def _fresh(board: Storyboard) -> Storyboard:
    from storyboard.boards.convert import with_related

    return with_related(Storyboard.objects).get(pk=board.pk)


def _write_shots(board: Storyboard, old: list, new: tuple[tuple[str, str], ...]) -> None:
    """Changed shots in one UPDATE, added ones in one INSERT, dropped ones in one DELETE."""
    changed = []
    for i, shot in enumerate(old[: len(new)]):
        prompt, duration = new[i]
        if (shot.prompt, shot.duration, shot.position) != (prompt, duration, i):
            shot.prompt, shot.duration, shot.position = prompt, duration, i
            changed.append(shot)
    if len(changed) == 1:  # the usual keystroke: a plain UPDATE is cheaper than a CASE
        shot = changed[0]
        Shot.objects.filter(pk=shot.pk).update(prompt=shot.prompt, duration=shot.duration,
                                               position=shot.position)
    elif changed:
        Shot.objects.bulk_update(changed, ["prompt", "duration", "position"])
    if len(old) > len(new):
        Shot.objects.filter(pk__in=[s.pk for s in old[len(new):]]).delete()
    if len(new) > len(old):
        Shot.objects.bulk_create([Shot(storyboard=board, position=i, prompt=p, duration=d)
                                  for i, (p, d) in enumerate(new) if i >= len(old)])


_SLOT_FIELDS = ["image_id", "video_id", "element_version_id", "provider_element_id", "role",
                "refer_type", "keep_original_sound"]


def _slot_fields(s: SlotState) -> dict:
    kind = "provider" if s.provider_id else s.kind
    return {
        "image_id": s.item_id if kind == "image" else None,
        "video_id": s.item_id if kind == "video" else None,
        "element_version_id": s.item_id if kind == "element" else None,
        "provider_element_id": s.provider_id,
        "role": s.role, "refer_type": s.refer_type,
        "keep_original_sound": s.keep_original_sound,
    }


def _write_slots(board: Storyboard, old: dict[str, Slot], new: tuple[SlotState, ...]) -> None:
    """Like the shots: one statement per kind of change, whatever the number of slots."""
    wanted = {s.name: s for s in new}
    gone = [s.pk for name, s in old.items() if name not in wanted]
    if gone:
        Slot.objects.filter(pk__in=gone).delete()
    added, changed = [], []
    for name, s in wanted.items():
        fields = _slot_fields(s)
        slot = old.get(name)
        if slot is None:
            added.append(Slot(storyboard=board, name=name, **fields))
        elif any(getattr(slot, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(slot, k, v)
            changed.append(slot)
    if changed:
        Slot.objects.bulk_update(changed, _SLOT_FIELDS)
    if added:
        Slot.objects.bulk_create(added)


def create_board(team, user, state: EditorState, items: dict[str, object] | None = None, *,
                 parent: Storyboard | None = None,
                 drop_unavailable: bool = False) -> Storyboard:
    """A new storyboard of `team` holding `state` (see write_board)."""
    board = Storyboard(team=team, created_by=user, parent=parent)
    write_board(board, state, items, drop_unavailable=drop_unavailable)
    return board


# --- states from elsewhere -------------------------------------------------------------------


def _raw(value) -> str:
    """A raw duration or count as stored: the rules judge it, None is left empty."""
    return "" if value is None else str(value)


def provider_ids_of(value, filled: set[str]) -> dict[str, str]:
    """slot name -> id, for the element slots of a rules value not in `filled` whose reference
    is a provider's element id: a batch file's `"u_…"`, a job's snapshot of one."""
    return {name: att.ref.strip() for name, att in value.attachments.items()
            if name not in filled and slot_kind(name) == "element"
            and is_provider_id(att.ref.strip())}


def state_from_value(value, *, title: str, account_id: int | None, slots: dict[str, int],
                     provider_ids: dict[str, str] | None = None) -> EditorState:
    """The EditorState of a rules value (a batch file's item, a job's snapshot), its slots
    filled with the library ids `slots` (slot name -> id) and their attachment's role, use
    and sound, and with the provider element ids `provider_ids` (slot name -> id; by default
    the value's element references shaped like one that `slots` does not fill). Shots only
    when multi-shot: a single-shot storyboard has none."""
    st = value.settings
    if provider_ids is None:
        provider_ids = provider_ids_of(value, set(slots))
    filled = [SlotState.for_provider_id(name, ref) for name, ref in provider_ids.items()
              if name not in slots]
    for name, item_id in sorted(slots.items()):
        att = value.attachments.get(name)
        kind = SlotState(name, item_id).kind
        filled.append(SlotState(
            name, item_id,
            role=att.role if att is not None and kind == "image" else "reference",
            refer_type=att.refer_type if att is not None and kind == "video" else "feature",
            keep_original_sound=bool(att is not None and kind == "video"
                                     and att.keep_original_sound)))
    filled.sort(key=lambda s: s.name)
    return EditorState(
        version=1, title=title, account_id=account_id, model=value.target.model,
        mode=st.mode, aspect_ratio=st.aspect_ratio, audio=bool(st.audio), count=_raw(st.count),
        negative_prompt=st.negative_prompt, multi_shot=bool(st.multi_shot), prompt=st.prompt,
        duration=_raw(st.duration),
        shots=tuple((s.prompt, _raw(s.duration)) for s in value.shots)
        if st.multi_shot else (),
        slots=tuple(filled),
    )
