"""The worker's side of previews: render the animatic of a Preview row asked for by the editor.

The editor never renders in the web request (a render holds a thread for seconds): Preview
records a `queued` row and hands its id to django-q2 here. `render_preview_task` is safe to run
twice or concurrently: it claims the row with a conditional UPDATE and does nothing when the
claim fails, and only the attempt holding the claim may finish the row. A worker that stops
mid-render leaves a claim that expires; `revive_stalled` (called whenever the panel asks how
the render is going, or Preview is pressed again) hands such a row out again, and after
MAX_SENDS ends it failed saying why, so no preview says "rendering" forever.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from storyboard.boards.models import Preview

log = logging.getLogger(__name__)
State = Preview.State

# A render takes seconds (product target: 15 s of 720p in 3 s on 2 cores); a claim far longer
# than that only expires when its worker is gone.
RENDER_LEASE = timedelta(seconds=60)
# A row nobody claimed this long after it was handed out: the task was lost (a broker that
# lost it) or no worker runs. It is handed out again, up to MAX_SENDS times in all.
QUEUE_WAIT = timedelta(seconds=60)
MAX_SENDS = 3
TASK = "storyboard.boards.tasks.render_preview_task"


def send(preview_id: int) -> None:
    """Hand the render to the worker once the row that asks for it is committed."""
    transaction.on_commit(lambda: async_task(TASK, preview_id))


def render_preview_task(preview_id: int) -> str:
    """Render the preview `preview_id` if it is still asked for and nobody else renders it."""
    row = Preview.objects.filter(pk=preview_id).first()
    if row is None:
        return "gone"  # its storyboard was deleted meanwhile
    now = timezone.now()
    free = Q(state=State.QUEUED) | Q(state=State.RENDERING, claimed_until__lt=now)
    attempt = row.attempts + 1
    claimed = Preview.objects.filter(free, pk=row.pk, attempts=row.attempts).update(
        state=State.RENDERING, attempts=attempt, claimed_until=now + RENDER_LEASE)
    if not claimed:
        return "not claimed"
    try:
        stored, result = _render(row, attempt)
    except ValueError as e:  # the storyboard cannot be rendered as it stands
        _finish(row, attempt, state=State.FAILED,
                failure_text=f"Not rendered yet: {plain(e)}"[:500])
        return "failed"
    except Exception as e:  # noqa: BLE001 - whatever broke, the panel must say so and stop
        log.exception("preview %s: the animatic render failed", row.pk)
        _finish(row, attempt, state=State.FAILED,
                failure_text=f"Not rendered: the animatic renderer failed "
                             f"({type(e).__name__}: {e})."[:500])
        return "failed"
    if not _finish(row, attempt, state=State.READY, failure_text="", file=stored,
                   seconds=result.duration, width=result.width, height=result.height):
        # Another attempt took over (this one outlived its claim) or the storyboard is gone.
        with contextlib.suppress(OSError):
            default_storage.delete(stored)
        return "superseded"
    return "ready"


def _render(row: Preview, attempt: int):
    from storyboard.providers.animatic import render_animatic
    from storyboard.rules import Storyboard as Value

    value = Value.from_dict(row.request.get("value") or {})
    paths = {}
    for slot, name in (row.request.get("images") or {}).items():
        try:
            paths[slot] = Path(default_storage.path(name))
        except NotImplementedError:  # remote storage: the renderer shows a title card
            continue
    board = row.storyboard
    # One name per attempt: an attempt that outlived its claim never overwrites the winner's.
    name = f"previews/{board.team_id}/{board.pk}-{row.key[:16]}-{attempt}.mp4"
    with tempfile.TemporaryDirectory() as tmp:
        result = render_animatic(value, Path(tmp) / "preview.mp4", images=paths)
        if default_storage.exists(name):
            default_storage.delete(name)
        with open(result.path, "rb") as fh:
            stored = default_storage.save(name, File(fh))
    return stored, result


def _finish(row: Preview, attempt: int, **fields) -> bool:
    """End the row as `fields` say, only if this attempt still holds it."""
    return bool(Preview.objects.filter(pk=row.pk, attempts=attempt,
                                       state=State.RENDERING).update(claimed_until=None,
                                                                     **fields))


def stalled(row: Preview, now=None) -> bool:
    """Handed out but not claimed in QUEUE_WAIT, or claimed by a worker that stopped."""
    now = now or timezone.now()
    if row.state == State.QUEUED:
        return row.sent_at is None or row.sent_at < now - QUEUE_WAIT
    if row.state == State.RENDERING:
        return row.claimed_until is None or row.claimed_until < now
    return False


def revive_stalled(row: Preview) -> Preview:
    """A stalled render is handed out again; one handed out MAX_SENDS times ends failed with
    what happened. Conditional on the row as read, so the many polls of one panel (and two
    people watching it) hand it out once."""
    now = timezone.now()
    if not stalled(row, now):
        return row
    same = Preview.objects.filter(pk=row.pk, state=row.state, sends=row.sends,
                                  attempts=row.attempts)
    if row.sends >= MAX_SENDS:
        text = (f"Not rendered: no worker started this render ({MAX_SENDS} tries): check that "
                f"the worker runs, then press Preview again."
                if row.state == State.QUEUED and not row.attempts else
                f"Not rendered: the render stopped before finishing {row.attempts} times (the "
                f"worker restarted or ran out of time): press Preview to try again.")
        if same.update(state=State.FAILED, failure_text=text, claimed_until=None):
            log.warning("preview %s failed: %s", row.pk, text)
    elif same.update(state=State.QUEUED, sends=row.sends + 1, sent_at=now,
                     claimed_until=None):
        send(row.pk)
    row.refresh_from_db()
    return row


def plain(error: ValueError) -> str:
    """`shots[1].duration: 'x' is not …` -> `shot 2's duration: 'x' is not …`."""
    text = str(error)
    head, sep, rest = text.partition(": ")
    if sep and head.startswith("shots[") and "]" in head:
        n = int(head[6:head.index("]")]) + 1
        return f"shot {n}'s {head.split('.')[-1]}: {rest}"
    return text
