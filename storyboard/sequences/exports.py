"""Exporting a sequence: its cut (cut.py) built from the chosen takes, written as an MP4
(reel_mp4.py), a timeline file (timeline.py) or a ZIP an editor opens directly, and stored once
per sequence state (SequenceExport, keyed by what the file depends on).

Timeline files cost milliseconds and are built in the request; the MP4 and the ZIP are built by
the worker (`build_export_task`, django-q2), which claims the row with a conditional UPDATE so
a task delivered twice builds once, and stores progress on the row as it goes. The command line
builds in its own process through the same function.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import tempfile
import zipfile
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from storyboard import storage
from storyboard.rules import Storyboard as Value
from storyboard.rules.model import parse_whole_seconds

from .cut import Cut, CutItem, PlannedShot
from .exports_models import SequenceExport
from .reel_mp4 import probe_take, render_reel
from .timeline import FORMATS, timeline_text

log = logging.getLogger(__name__)
State = SequenceExport.State
TASK = "storyboard.sequences.exports.build_export_task"
WORKER_FORMATS = ("mp4", "zip")  # seconds to minutes: never in a web request
ALL_FORMATS = (*FORMATS, *WORKER_FORMATS)
SUFFIX = {**{k: v[1] for k, v in FORMATS.items()}, "mp4": ".mp4", "zip": ".zip"}
CONTENT_TYPE = {**{k: v[2] for k, v in FORMATS.items()}, "mp4": "video/mp4",
                "zip": "application/zip"}
# A build of 150 s of 1080p takes a minute or two on 2 cores; a claim far longer than that
# only expires when its worker is gone, and the build is then handed out again.
BUILD_LEASE = timedelta(minutes=20)
QUEUE_WAIT = timedelta(minutes=2)
MAX_ATTEMPTS = 3


class MissingTakes(ValueError):
    """Storyboards of the sequence without a take (and placeholders were not asked for)."""

    def __init__(self, titles: list[str]) -> None:
        self.titles = titles
        super().__init__("no take yet for " + ", ".join(f"'{t}'" for t in titles)
                         + ": render them, or export with placeholders (their animatic)")


def _planned(value: Value) -> tuple[PlannedShot, ...]:
    out = []
    for n, (_, _, shot) in enumerate(value.effective_shots(), start=1):
        out.append(PlannedShot(n, float(parse_whole_seconds(shot.duration) or 0), shot.prompt))
    return tuple(out)


def _item(name: str, path: Path, shots, placeholder: bool) -> CutItem:
    info = probe_take(path)
    return CutItem(name, path, info.frames, info.fps, shots, placeholder), info


def _placeholder(board) -> tuple[Path, Value]:
    """The storyboard's newest ready animatic preview, or one rendered now and kept as its
    preview (so the editor shows it too)."""
    from storyboard.boards.models import Preview

    for preview in board.previews.filter(state=Preview.State.READY).exclude(file=""):
        if default_storage.exists(preview.file):
            return storage.local_path(preview.file), Value.from_dict(preview.request["value"])
    return _render_animatic(board)


def _render_animatic(board):
    from storyboard.boards import convert
    from storyboard.boards.actions import preview_key
    from storyboard.boards.models import Preview, Storyboard
    from storyboard.library.models import ReferenceImage, ReferenceVideo
    from storyboard.providers.animatic import render_animatic

    board = convert.with_related(Storyboard.objects.filter(pk=board.pk)).get()
    value = convert.to_value(board)
    pictures = {}
    for slot in board.slots.all():
        item = slot.item
        if isinstance(item, ReferenceImage):
            pictures[slot.name] = item
        elif item is not None and not isinstance(item, ReferenceVideo):
            frontal = getattr(item, "frontal", None)
            if frontal is not None:
                pictures[slot.name] = frontal
    names = {slot: img.file for slot, img in pictures.items()}
    key = preview_key(value, names)
    name = f"previews/{board.team_id}/{board.pk}-{key[:16]}-export.mp4"
    scratch = storage.scratch_path(name)
    result = render_animatic(value, scratch, images={s: storage.local_path(f)
                                                     for s, f in names.items()})
    stored = storage.keep_file(scratch, name)
    Preview.objects.update_or_create(
        storyboard=board, key=key,
        defaults={"state": Preview.State.READY, "file": stored, "seconds": result.duration,
                  "width": result.width, "height": result.height, "failure_text": "",
                  "request": {"value": value.to_dict(), "images": names}})
    return storage.local_path(stored), value


def cut_of(sequence, takes, *, placeholders: bool) -> Cut:
    """The sequence's cut from `takes` (sequences.takes.chosen_takes): MissingTakes names the
    storyboards without a take unless `placeholders` stands their animatic in."""
    missing = [entry.storyboard.title for entry, clip in takes if clip is None]
    if missing and not placeholders:
        raise MissingTakes(missing)
    if not takes:
        raise ValueError("sequence: it has no storyboards to export")
    items, sizes = [], []
    for entry, clip in takes:
        title = entry.storyboard.title
        if clip is not None:
            item, info = _item(title, storage.local_path(clip.file),
                               _planned(Value.from_dict(clip.job.snapshot)), False)
        else:
            path, value = _placeholder(entry.storyboard)
            item, info = _item(title, path, _planned(value), True)
        items.append(item)
        sizes.append((not item.is_placeholder, info))
    # The cut's size and rate: the first real take's (an animatic only when all are).
    first = next((info for real, info in sizes if real), sizes[0][1])
    width, height = first.width - first.width % 2, first.height - first.height % 2
    return Cut(sequence.title, Fraction(first.fps), width, height, items)


def export_key(sequence, takes, fmt: str, placeholders: bool) -> str:
    data = [sequence.pk, sequence.version, [c.pk if c else None for _, c in takes],
            placeholders, fmt]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def filename(sequence, fmt: str) -> str:
    """The download's name: the title in safe characters, with the format's suffix."""
    return f"{filename_for_title(sequence.title)}{SUFFIX[fmt]}"


def _media_name(n: int, item: CutItem) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", item.name).strip("-.")[:60] or "take"
    return f"media/{n:02d}-{stem}{item.path.suffix or '.mp4'}"


def write_export(cut: Cut, fmt: str, out: Path, progress=None) -> None:
    """Write `cut` as `fmt` to `out`."""
    if fmt in FORMATS:
        out.write_text(timeline_text(cut, fmt), encoding="utf-8")
    elif fmt == "mp4":
        render_reel(cut, out, progress=progress)
    elif fmt == "zip":
        names = {id(item): _media_name(n, item) for n, item in enumerate(cut.items, start=1)}
        stem = filename_for_title(cut.title)
        total = len(cut.items) + len(FORMATS)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:  # the MP4s are compressed
            for n, item in enumerate(cut.items, start=1):
                zf.write(item.path, names[id(item)])
                if progress:
                    progress(n, total)
            for n, fmt_name in enumerate(FORMATS, start=len(cut.items) + 1):
                text = timeline_text(cut, fmt_name, url_for=lambda it: names[id(it)])
                zf.writestr(f"{stem}{SUFFIX[fmt_name]}", text,
                            compress_type=zipfile.ZIP_DEFLATED)
                if progress:
                    progress(n, total)
    else:
        raise ValueError(f"format: {fmt!r} is not one of {', '.join(ALL_FORMATS)}")


def filename_for_title(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-.")[:80] or "sequence"


# --- stored exports ------------------------------------------------------------------------


def request_export(sequence, fmt: str, *, placeholders: bool, inline: bool | None = None):
    """The export of the sequence as it stands now: the stored one when this state was built,
    else a build (in this process for timeline files or when `inline`, else by the worker).
    Raises MissingTakes or ValueError (naming the field) before anything is queued."""
    from .takes import chosen_takes

    if fmt not in ALL_FORMATS:
        raise ValueError(f"format: {fmt!r} is not one of {', '.join(ALL_FORMATS)}")
    takes = chosen_takes(sequence)
    if not takes:
        raise ValueError("sequence: it has no storyboards to export")
    missing = [entry.storyboard.title for entry, clip in takes if clip is None]
    if missing and not placeholders:
        raise MissingTakes(missing)
    key = export_key(sequence, takes, fmt, placeholders)
    inline = fmt in FORMATS if inline is None else inline
    row = SequenceExport.objects.filter(sequence=sequence, key=key).first()
    if row is None:
        try:
            with transaction.atomic():
                row = SequenceExport.objects.create(sequence=sequence, key=key, format=fmt,
                                                    placeholders=placeholders)
                if not inline:
                    transaction.on_commit(lambda: async_task(TASK, row.pk))
        except IntegrityError:  # a second click asked for the same state meanwhile
            row = SequenceExport.objects.get(sequence=sequence, key=key)
    elif (row.state == State.FAILED or stalled(row)
          or (row.state == State.READY and not default_storage.exists(row.file))):
        row = _ask_again(row, inline)  # failed, stopped, or its file is gone: build again
    if inline and row.state == State.QUEUED:
        build_export_task(row.pk)
        row.refresh_from_db()
    return row


def _ask_again(row, inline: bool):
    if SequenceExport.objects.filter(pk=row.pk, state=row.state, attempts=row.attempts).update(
            state=State.QUEUED, failure_text="", claimed_until=None, done=0,
            created_at=timezone.now()) and not inline:
        transaction.on_commit(lambda: async_task(TASK, row.pk))
    row.refresh_from_db()
    return row


def follow_export(row):
    """The export as it stands now, for a page that follows its build: a stalled build is
    handed to the worker again, up to MAX_ATTEMPTS builds, then ends failed saying so. A
    failed one stays failed: following must not start the same failing build every second
    (asking again, with the page's "Try again", is `request_export`)."""
    row.refresh_from_db()
    if not stalled(row):
        return row
    if row.state == State.BUILDING and row.attempts >= MAX_ATTEMPTS:
        SequenceExport.objects.filter(pk=row.pk, state=row.state, attempts=row.attempts).update(
            state=State.FAILED, claimed_until=None,
            failure_text=f"Not exported: the build stopped before finishing {row.attempts} "
                         "times (the worker restarted, or ran out of time or memory).")
        row.refresh_from_db()
        return row
    return _ask_again(row, inline=False)


def stalled(row) -> bool:
    """Queued and never started, or building under a claim its worker stopped renewing."""
    now = timezone.now()
    if row.state == State.QUEUED:
        return row.created_at < now - QUEUE_WAIT
    if row.state == State.BUILDING:
        return row.claimed_until is None or row.claimed_until < now
    return False


def build_export_task(export_id: int) -> str:
    """Build the export `export_id` if it is still asked for and nobody else builds it."""
    from .takes import chosen_takes

    row = SequenceExport.objects.select_related("sequence").filter(pk=export_id).first()
    if row is None:
        return "gone"
    now = timezone.now()
    free = Q(state=State.QUEUED) | Q(state=State.BUILDING, claimed_until__lt=now)
    attempt = row.attempts + 1
    if not SequenceExport.objects.filter(free, pk=row.pk, attempts=row.attempts).update(
            state=State.BUILDING, attempts=attempt, claimed_until=now + BUILD_LEASE):
        return "not claimed"
    mine = SequenceExport.objects.filter(pk=row.pk, attempts=attempt, state=State.BUILDING)
    sequence = row.sequence
    takes = chosen_takes(sequence)
    if export_key(sequence, takes, row.format, row.placeholders) != row.key:
        mine.update(state=State.FAILED, claimed_until=None,
                    failure_text="The sequence changed before this export was built: "
                                 "ask for it again.")
        return "stale"
    last = {"t": 0.0}

    def progress(done: int, total: int) -> None:
        # At most one UPDATE a second: the bar needs no more, the database gets no more.
        tick = timezone.now().timestamp()
        if tick - last["t"] >= 1 or done == total:
            last["t"] = tick
            mine.update(done=done, total=total)

    suffix = SUFFIX[row.format]
    name = f"exports/{sequence.team_id}/{sequence.pk}-{row.key[:16]}-{attempt}{suffix}"
    try:
        cut = cut_of(sequence, takes, placeholders=row.placeholders)
        with tempfile.TemporaryDirectory(prefix="sequence-export-") as tmp:
            out = Path(tmp) / f"export{SUFFIX[row.format]}"
            write_export(cut, row.format, out, progress)
            scratch = storage.scratch_path(name)
            shutil.move(out, scratch)  # the temporary folder may be on another disk
            stored = storage.keep_file(scratch, name)
    except ValueError as e:  # MissingTakes, or a take the cut cannot use
        mine.update(state=State.FAILED, claimed_until=None,
                    failure_text=f"Not exported: {e}"[:500])
        return "failed"
    except Exception as e:  # noqa: BLE001 - whatever broke, the page must say so and stop
        log.exception("sequence export %s failed", row.pk)
        mine.update(state=State.FAILED, claimed_until=None,
                    failure_text=f"Not exported: {type(e).__name__}: {e}"[:500])
        return "failed"
    if not mine.update(state=State.READY, claimed_until=None, file=stored, failure_text=""):
        default_storage.delete(stored)  # another attempt took over meanwhile
        return "superseded"
    return "ready"
