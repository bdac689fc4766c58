"""A clip's review notes for other tools: as CSV for spreadsheets (comments and decisions), and
as a CMX3600 EDL of markers for editing software (one locator per time-coded comment; a decision
has no time in the clip, so it is in the CSV only). The builders take plain `Note`s, so they are
tested without the database; `clip_notes` gathers them for a clip already scoped to a team."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.text import slugify

from storyboard.review.timing import FrameRate, PlannedShot, shot_plan

CSV_COLUMNS = ("Time code", "Seconds", "Shot", "Shot name", "Author", "Kind", "Text",
               "Created at")
SHOT_NAME_MAX = 60  # a prompt excerpt long enough to recognise the shot, short enough to scan
# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...) etc.);
# tab and carriage return too, as OWASP lists them.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
EDL_REEL = "AX"  # the usual reel name of a file that came from no tape
EDL_COLOUR = "YELLOW"


@dataclass(frozen=True)
class Note:
    kind: str  # "Comment", or a decision's label ("Approved", "Retake requested")
    text: str
    author: str
    created_at: datetime
    seconds: float | None = None  # None: a decision, about the whole clip
    shot: int | None = None
    shot_name: str = ""


def one_line(text: str) -> str:
    return _SPACE.sub(" ", _CONTROL.sub(" ", text or "")).strip()


def shot_name(plan: list[PlannedShot], number: int) -> str:
    """'Shot 2: A slow pan to the lighthouse', the prompt cut to SHOT_NAME_MAX characters."""
    prompt = next((one_line(s.prompt) for s in plan if s.number == number), "")
    if len(prompt) > SHOT_NAME_MAX:
        prompt = prompt[:SHOT_NAME_MAX - 1].rstrip() + "…"
    return f"Shot {number}: {prompt}" if prompt else f"Shot {number}"


def clip_notes(clip) -> list[Note]:
    """The clip's comments in time order, then its decisions in the order they were made."""

    def _by(user, guest_name: str) -> str:  # a guest of a share link has a name, no user
        return user.username if user else f"guest: {guest_name}" if guest_name else ""

    plan = shot_plan(clip.job.snapshot, clip.seconds)
    notes = [Note("Comment", c.text, _by(c.author, c.guest_name),
                  timezone.localtime(c.created_at), c.seconds, c.shot, shot_name(plan, c.shot))
             for c in clip.comments.select_related("author")]
    notes += [Note(d.get_kind_display(), d.note, _by(d.decided_by, d.guest_name),
                   timezone.localtime(d.created_at))
              for d in clip.decisions.select_related("decided_by")]
    return notes


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def notes_csv(notes: list[Note], rate: FrameRate) -> str:
    out = io.StringIO()
    writer = csv.writer(out)  # quotes commas, quotes and line breaks; rows end in CRLF
    writer.writerow(CSV_COLUMNS)
    for note in notes:
        timed = note.seconds is not None
        writer.writerow([safe_cell(cell) for cell in (
            rate.time_code(note.seconds) if timed else "",
            f"{note.seconds:.2f}" if timed else "",
            note.shot if note.shot is not None else "",
            note.shot_name, note.author, note.kind, note.text,
            note.created_at.isoformat(timespec="seconds"),
        )])
    return out.getvalue()


def _event(number: int, start: str, end: str) -> str:
    # CMX3600 columns: event, reel (8), track (5), transition (8), source in/out, record in/out.
    return f"{number:03d}  {EDL_REEL:<8} {'V':<5} {'C':<8} {start} {end} {start} {end}"


def notes_edl(title: str, notes: list[Note], rate: FrameRate) -> str:
    """One one-frame event per time-coded comment, on a record timeline that starts at
    00:00:00:00 like the clip, each with a `* LOC:` marker carrying the comment, its shot and
    its author. Non-drop-frame at the clip's rate."""
    title = one_line(title) or "Review notes"
    lines = [f"TITLE: {title[:70]}", "FCM: NON-DROP FRAME", ""]
    timed = [note for note in notes if note.seconds is not None]
    for number, note in enumerate(timed, start=1):
        frame = rate.frame_at(note.seconds)
        at = rate.frame_code(frame)
        marker = " | ".join(part for part in (one_line(note.text), note.shot_name,
                                              note.author) if part)
        lines += [_event(number, at, rate.frame_code(frame + 1)),
                  f"* FROM CLIP NAME: {title}",
                  f"* LOC: {at} {EDL_COLOUR:<7} {marker}", ""]
    return "\r\n".join(lines) + "\r\n"


def download_name(clip, extension: str) -> str:
    """'coast-clip-12-notes.csv': ASCII, so every browser keeps it as it is."""
    base = slugify(clip.job.title)[:60].strip("-") or "clip"
    return f"{base}-clip-{clip.pk}-notes.{extension}"
