"""Every write of the boards app, each one atomic: a refused change leaves nothing behind."""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone

from storyboard.boards.models import MODES, TITLE_MAX, Preview, RateCard, Shot, Slot, Storyboard
from storyboard.boards.state import EditorState, Refused, state_from_board
from storyboard.rules.capabilities import TARGETS


class BoardError(Exception):
    """A refused action; the message says why, for the person who asked."""


class StaleVersion(Exception):
    """The save started from an older version than the one stored (another tab saved since)."""

    def __init__(self, current: Storyboard):
        super().__init__(f"storyboard {current.pk} is at version {current.version}")
        self.current = current


def create_storyboard(team, user, title: str) -> Storyboard:
    """A new multi-shot storyboard for the free local preview, with two empty 3 s shots."""
    title = " ".join((title or "").split())
    if not title:
        raise BoardError("Give the storyboard a title.")
    if len(title) > TITLE_MAX:
        raise BoardError(f"A title has at most {TITLE_MAX} characters; this one has "
                         f"{len(title)}.")
    with transaction.atomic():
        board = Storyboard.objects.create(team=team, title=title, created_by=user)
        Shot.objects.bulk_create(
            [Shot(storyboard=board, position=i, prompt="", duration="3") for i in range(2)])
    return board


@dataclass
class Saved:
    board: Storyboard
    state: EditorState  # as stored (after a shape switch, the new shape)
    changed: bool
    reshaped: bool  # single <-> multi-shot: the page must redraw the shots


def save_storyboard(board: Storyboard, state: EditorState) -> Saved:
    """Store `state` over `board` (loaded with its shots and slots) if `state.version` is the
    stored version, and bump the version; an unchanged state saves nothing. Raises StaleVersion
    (nothing written) when another save came first."""
    reshaped = state.multi_shot != board.multi_shot
    if state.version != board.version:
        raise StaleVersion(_fresh(board))
    before = state_from_board(board)
    if _same(before, state):
        return Saved(board, state, changed=False, reshaped=False)
    now = timezone.now()
    with transaction.atomic():
        updated = Storyboard.objects.filter(pk=board.pk, version=state.version).update(
            **state.board_fields(), version=F("version") + 1, updated_at=now)
        if not updated:
            raise StaleVersion(_fresh(board))
        _save_shots(board, state)
        _save_slots(board, state)
    for name, value in state.board_fields().items():
        setattr(board, name, value)
    board.version, board.updated_at = state.version + 1, now
    return Saved(board, replace(state, version=board.version), changed=True, reshaped=reshaped)


def _same(a: EditorState, b: EditorState) -> bool:
    return (a.board_fields() == b.board_fields() and a.shots == b.shots
            and sorted(a.slots, key=lambda s: s.name) == sorted(b.slots, key=lambda s: s.name))


def _fresh(board: Storyboard) -> Storyboard:
    from storyboard.boards.convert import with_related

    return with_related(Storyboard.objects).get(pk=board.pk)


def _save_shots(board: Storyboard, state: EditorState) -> None:
    """Changed shots in one UPDATE, added ones in one INSERT, dropped ones in one DELETE."""
    old = list(board.shots.all())
    new = state.shots
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


def _slot_fields(s) -> dict:
    kind = s.kind
    return {
        "image_id": s.item_id if kind == "image" else None,
        "video_id": s.item_id if kind == "video" else None,
        "element_version_id": s.item_id if kind == "element" else None,
        "role": s.role, "refer_type": s.refer_type,
        "keep_original_sound": s.keep_original_sound,
    }


def _save_slots(board: Storyboard, state: EditorState) -> None:
    """Like the shots: one statement per kind of change, whatever the number of slots."""
    old = {s.name: s for s in board.slots.all()}
    new = {s.name: s for s in state.slots}
    gone = [s.pk for name, s in old.items() if name not in new]
    if gone:
        Slot.objects.filter(pk__in=gone).delete()
    added, changed = [], []
    for name, s in new.items():
        fields = _slot_fields(s)
        slot = old.get(name)
        if slot is None:
            added.append(Slot(storyboard=board, name=name, **fields))
        elif any(getattr(slot, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(slot, k, v)
            changed.append(slot)
    if changed:
        Slot.objects.bulk_update(changed, list(_slot_fields(state.slots[0])))
    if added:
        Slot.objects.bulk_create(added)


def duplicate_storyboard(board: Storyboard, user) -> Storyboard:
    """A copy with the same settings, shots and slots, titled "Copy of …"."""
    title = f"Copy of {board.title}"[:TITLE_MAX]
    with transaction.atomic():
        copy = Storyboard.objects.create(
            team=board.team, title=title, account=board.account, model=board.model,
            mode=board.mode, aspect_ratio=board.aspect_ratio, multi_shot=board.multi_shot,
            prompt=board.prompt, duration=board.duration, count=board.count,
            audio=board.audio, negative_prompt=board.negative_prompt, created_by=user)
        Shot.objects.bulk_create([Shot(storyboard=copy, position=s.position, prompt=s.prompt,
                                       duration=s.duration) for s in board.shots.all()])
        Slot.objects.bulk_create([
            Slot(storyboard=copy, name=s.name, image_id=s.image_id, video_id=s.video_id,
                 element_version_id=s.element_version_id, role=s.role,
                 refer_type=s.refer_type, keep_original_sound=s.keep_original_sound)
            for s in board.slots.all()])
    return copy


def running_jobs(board: Storyboard) -> int:
    """How many of the storyboard's jobs are not in a final state yet."""
    # Imported here: the jobs app builds on boards' models, so boards may not import it at
    # module level.
    from storyboard.jobs.models import FINAL

    return board.jobs.exclude(state__in=FINAL).count()


def delete_storyboard(board: Storyboard) -> None:
    """Delete a storyboard with its shots, slots and previews; refused while jobs run.

    The board's row is locked before its jobs are counted, and a submit locks it before it
    adds a job: a submit racing this delete either lands first (and the delete is refused) or
    finds the storyboard gone."""
    try:
        with transaction.atomic():
            if not Storyboard.objects.select_for_update().filter(pk=board.pk).exists():
                return  # deleted meanwhile: what was asked is done
            running = running_jobs(board)
            if running:
                raise BoardError(
                    f"“{board.title}” has {running} job{'s' if running > 1 else ''} still "
                    f"running: wait for {'them' if running > 1 else 'it'} to finish or cancel "
                    f"{'them' if running > 1 else 'it'} first.")
            names = list(board.previews.values_list("file", flat=True))
            board.delete()
            transaction.on_commit(lambda: _delete_files(names))
    except ProtectedError as e:  # something of another app holds on to it
        holders = sorted({obj._meta.verbose_name for obj in e.protected_objects})
        raise BoardError(f"“{board.title}” is still used ({', '.join(holders)}): it cannot be "
                         f"deleted.") from None


def _delete_files(names) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


# --- rate card -----------------------------------------------------------------------------

RATE_MAX = Decimal("10000")
MODE_IDS = [m for m, _ in MODES]


def rate_fields() -> list[tuple[str, str, str]]:
    """(dialect, model, mode) of every priced target; the animatic is free."""
    return [(t.dialect, t.model, m) for t in TARGETS if t.dialect != "animatic"
            for m in MODE_IDS]


def save_rate_card(team, user, unit: str, raw_prices: dict[str, str]) -> RateCard:
    """Store the team's prices per second. An empty field removes that price; anything that is
    not a number from 0 to 10,000 with at most 4 decimals refuses the whole card."""
    unit = " ".join((unit or "").split())
    errors = {}
    if len(unit) > 16:
        errors["unit"] = "The unit has at most 16 characters (e.g. USD or credits)."
    prices = {}
    allowed = {f"{d}:{m}:{mode}" for d, m, mode in rate_fields()}
    for key, raw in raw_prices.items():
        raw = (raw or "").strip().replace(",", ".")
        if key not in allowed or not raw:
            continue
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or value > RATE_MAX or \
                value.as_tuple().exponent < -4:
            errors[key] = (f"“{raw[:20]}” is not a price: a number from 0 to 10000, up to 4 "
                           f"decimals.")
            continue
        prices[key] = f"{value.normalize():f}"
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        card, _ = RateCard.objects.select_for_update().get_or_create(team=team)
        card.unit, card.prices, card.updated_by, card.updated_at = (
            unit, prices, user, timezone.now())
        card.save()
    return card


# --- preview -------------------------------------------------------------------------------


def preview_key(value, images: dict[str, str]) -> str:
    data = json.dumps([value.to_dict(), sorted(images.items())], sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def render_preview(board: Storyboard, value, images: dict[str, object]) -> Preview:
    """The animatic of `value` (the storyboard as the editor shows it), rendered once per state
    and reused while nothing changes. `images`: slot -> ReferenceImage to show. Raises
    ValueError (naming the field) when the storyboard cannot be rendered yet."""
    from storyboard.providers.animatic import render_animatic

    names = {slot: img.file for slot, img in images.items()}
    key = preview_key(value, names)
    existing = Preview.objects.filter(storyboard=board, key=key).first()
    if existing and default_storage.exists(existing.file):
        return existing
    paths = {}
    for slot, name in names.items():
        try:
            paths[slot] = Path(default_storage.path(name))
        except NotImplementedError:  # remote storage: the renderer shows a title card
            continue
    name = f"previews/{board.team_id}/{board.pk}-{key[:16]}.mp4"
    with tempfile.TemporaryDirectory() as tmp:
        result = render_animatic(value, Path(tmp) / "preview.mp4", images=paths)
        if default_storage.exists(name):
            default_storage.delete(name)
        with open(result.path, "rb") as fh:
            stored = default_storage.save(name, File(fh))
    try:
        with transaction.atomic():
            Preview.objects.filter(storyboard=board, key=key).delete()
            return Preview.objects.create(storyboard=board, key=key, file=stored,
                                          seconds=result.duration, width=result.width,
                                          height=result.height)
    except IntegrityError:  # a second click rendered the same state meanwhile
        return Preview.objects.get(storyboard=board, key=key)
