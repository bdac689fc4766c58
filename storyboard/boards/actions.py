"""Every write of the boards app, each one atomic: a refused change leaves nothing behind."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from storyboard.audit import actions as audit
from storyboard.boards import tasks
from storyboard.boards.models import MODES, TITLE_MAX, Preview, RateCard, Storyboard
from storyboard.boards.state import EditorState, Refused, SlotState, state_from_board
from storyboard.boards.writing import (
    StaleVersion,  # noqa: F401 - the views catch it from here
    create_board,
    state_from_value,
    write_board,
)
from storyboard.rules.capabilities import TARGETS


class BoardError(Exception):
    """A refused action; the message says why, for the person who asked."""


def create_storyboard(team, user, title: str) -> Storyboard:
    """A new multi-shot storyboard for the free local preview, with two empty 3 s shots."""
    title = " ".join((title or "").split())
    if not title:
        raise BoardError("Give the storyboard a title.")
    if len(title) > TITLE_MAX:
        raise BoardError(f"A title has at most {TITLE_MAX} characters; this one has "
                         f"{len(title)}.")
    state = EditorState(version=1, title=title, account_id=None, shots=(("", "3"), ("", "3")))
    return create_board(team, user, state)


@dataclass
class Saved:
    board: Storyboard
    state: EditorState  # as stored (after a shape switch, the new shape)
    changed: bool
    reshaped: bool  # single <-> multi-shot: the page must redraw the shots


def save_storyboard(board: Storyboard, state: EditorState,
                    items: dict[str, object] | None = None) -> Saved:
    """Store `state` over `board` (loaded with its shots and slots) if `state.version` is the
    stored version, and bump the version; an unchanged state saves nothing. Raises StaleVersion
    (nothing written) when another save came first, Refused when a slot holds an item the
    team may not use. `items`: the slots' items as `resolve_items` found them, so a slot just
    filled is not looked up twice."""
    reshaped = state.multi_shot != board.multi_shot
    stored = write_board(board, state, items)
    if stored is None:
        return Saved(board, state, changed=False, reshaped=False)
    return Saved(board, stored, changed=True, reshaped=reshaped)


def duplicate_storyboard(board: Storyboard, user) -> Storyboard:
    """A copy with the same settings, shots and slots, titled "Copy of …". A slot whose item the
    team may no longer use (its library's share was revoked) is left empty in the copy."""
    state = replace(state_from_board(board), title=f"Copy of {board.title}"[:TITLE_MAX])
    return create_board(board.team, user, state, drop_unavailable=True)


def remix_storyboard(team, user, title: str, value, slots: dict | None = None, *,
                     parent: Storyboard | None = None, account=None) -> Storyboard:
    """A new storyboard of `team` titled `title`, pre-filled from `value`: a rules value (a
    job's frozen snapshot) or an EditorState. `slots`: slot name -> what fills it, as a library
    id, a job's `slot_sources` entry ({"image": 12}) or a library object; for an EditorState,
    None keeps its own slots. Slots whose item the team may no longer use (deleted, share
    revoked) or that hold no library item (a batch file's local path) are left empty; an
    `account` of another team gives the local animatic. Raises BoardError naming the field
    when the value holds what no storyboard can."""
    title = " ".join((title or "").split())[:TITLE_MAX].strip() or "Untitled remix"
    account_id = account.pk if account is not None and account.team_id == team.pk else None
    items = {}
    ids = {}
    for name, source in (slots or {}).items():
        if isinstance(source, dict):  # only the key of the slot's kind: never another kind's id
            source = source.get(_SOURCE_KEY.get(SlotState(name, 0).kind))
        elif not isinstance(source, int) and source is not None:
            items[name], source = source, source.pk
        if isinstance(source, int) and not isinstance(source, bool):
            ids[name] = source
    if isinstance(value, EditorState):
        state = replace(value, version=1, title=title, account_id=account_id)
        if slots is not None:  # the state's own role and use of each slot, other items
            own = {s.name: s for s in state.slots}
            state = replace(state, slots=tuple(
                replace(own.get(name, SlotState(name, pk)), item_id=pk)
                for name, pk in sorted(ids.items())))
    else:
        state = state_from_value(value, title=title, account_id=account_id, slots=ids)
    try:
        return create_board(team, user, state, items, parent=parent, drop_unavailable=True)
    except Refused as refused:
        raise BoardError(" ".join(refused.messages.values())) from None


# slot kind -> its key in a job's slot_sources (convert.slot_sources)
_SOURCE_KEY = {"image": "image", "video": "video", "element": "element_version"}


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
            names = list(board.previews.exclude(file="").values_list("file", flat=True))
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
        # {"unit" or "dialect:model:mode": [before, after]}, the audit log's way of a change.
        changed = {"unit": [card.unit, unit]} if card.unit != unit else {}
        changed |= {key: [card.prices.get(key), prices.get(key)]
                    for key in sorted(set(card.prices) | set(prices))
                    if card.prices.get(key) != prices.get(key)}
        card.unit, card.prices, card.updated_by, card.updated_at = (
            unit, prices, user, timezone.now())
        card.save()
        if changed:  # estimates, and so the caps' judgements, follow the card
            audit.record(audit.Kind.RATE_CARD_CHANGED, team=team, target_text="rate card",
                         details={"changed": changed})
    return card


# --- preview -------------------------------------------------------------------------------


def preview_key(value, images: dict[str, str]) -> str:
    data = json.dumps([value.to_dict(), sorted(images.items())], sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def request_preview(board: Storyboard, value, images: dict[str, object]) -> Preview:
    """The preview of `value` (the storyboard as the editor shows it): the one already rendered
    for this state, else a render asked of the worker (boards/tasks.py), shown as it goes.
    `images`: slot -> ReferenceImage to show. One row per state (a unique constraint), so a
    double click asks for one render; pressing Preview again on a failed render, a stalled one
    or one whose file is gone asks again. Raises ValueError (naming the field) when the
    storyboard cannot be rendered yet."""
    from storyboard.providers.animatic import plan_shots

    plan_shots(value)  # what the renderer would refuse is refused now, naming the field
    names = {slot: img.file for slot, img in images.items()}
    key = preview_key(value, names)
    request = {"value": value.to_dict(), "images": names}
    existing = Preview.objects.filter(storyboard=board, key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                existing = Preview.objects.create(
                    storyboard=board, key=key, state=Preview.State.QUEUED, request=request,
                    sends=1, sent_at=timezone.now())
                tasks.send(existing.pk)
                return existing
        except IntegrityError:  # a second click asked for the same state meanwhile
            return Preview.objects.get(storyboard=board, key=key)
    if existing.state == Preview.State.READY and default_storage.exists(existing.file):
        return existing
    if existing.state in (Preview.State.QUEUED, Preview.State.RENDERING):
        return tasks.revive_stalled(existing)
    # Failed, or ready but its file is gone: ask again, once however many clicks race here.
    if Preview.objects.filter(pk=existing.pk, state=existing.state,
                              attempts=existing.attempts).update(
            state=Preview.State.QUEUED, request=request, failure_text="", sends=1,
            sent_at=timezone.now(), claimed_until=None):
        tasks.send(existing.pk)
    existing.refresh_from_db()
    return existing
