"""`omni_batch --sequence TITLE`: the items of a batch file as the storyboards of one sequence of
the team, in file order. A batch item is sent as a job without a storyboard, so each item's job
is given one, made from the job's frozen snapshot the way a remix is (boards.actions); the
storyboards then join the sequence through the sequences app's own actions. Everything is found
again by the job (its submit key), so a rerun — after a finished run or a killed one — adds
nothing twice and keeps the order."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from storyboard.boards.actions import BoardError, remix_storyboard
from storyboard.boards.models import Storyboard
from storyboard.jobs.models import Job
from storyboard.rules import Storyboard as Value
from storyboard.sequences import actions as sequences
from storyboard.sequences.models import TITLE_MAX, SequenceEntry


class SequenceArgument(ValueError):
    """A --sequence the command cannot use; the message names the argument and the limit."""


def clean_title(raw: str) -> str:
    """The title as the sequence pages store it (spaces collapsed), checked before anything of
    the batch is sent."""
    title = " ".join((raw or "").split())
    if not title:
        raise SequenceArgument(f"--sequence: give the sequence a title (1–{TITLE_MAX} "
                               f"characters)")
    if len(title) > TITLE_MAX:
        raise SequenceArgument(f"--sequence: at most {TITLE_MAX} characters (this one has "
                               f"{len(title)})")
    return title


def storyboard_of_job(job: Job, user) -> Storyboard:
    """The job's storyboard; a batch job has none, so one is made from its snapshot and the job
    points at it from then on (its clips become that storyboard's takes). The job's row is
    locked, so two runs at once make one storyboard."""
    if job.storyboard_id is not None:
        return job.storyboard
    with transaction.atomic():
        # The job's row only: PostgreSQL locks no row of an outer join (the account may be
        # gone), so its team and account are read after.
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.storyboard_id is None:
            board = remix_storyboard(locked.team, user, locked.title,
                                     Value.from_dict(locked.snapshot), locked.slot_sources,
                                     account=locked.account)
            Job.objects.filter(pk=locked.pk).update(storyboard=board)
            locked.storyboard = board
    job.storyboard = locked.storyboard
    return job.storyboard


@dataclass
class Placed:
    sequence: object
    created: bool
    added: list[int] = field(default_factory=list)  # item numbers added by this run
    kept: list[int] = field(default_factory=list)  # already in the sequence
    refused: list[str] = field(default_factory=list)  # "item N: why", one line each


def place_items(items, team, user, title: str) -> Placed:
    """Put the storyboards of `items` (jobs created) into the team's sequence `title` (made
    when missing) in file order. An item already in the sequence stays where it is; a missing
    one goes right after the item before it in the file (at the end when there is none), so
    a rerun keeps the order. An item whose storyboard is in another sequence is refused
    (a storyboard is in one sequence at a time) with a line naming the item."""
    sequence, created = sequences.get_or_create_sequence(team, user, title)
    placed = Placed(sequence, created)
    anchor = None  # the entry of the item before, in this sequence
    for item in items:
        try:
            board = storyboard_of_job(item.job, user)
        except BoardError as refused:
            placed.refused.append(f"item {item.index}: no storyboard could be made from it "
                                  f"({refused}); it is not in the sequence")
            continue
        entry = (SequenceEntry.objects.filter(storyboard=board).select_related("sequence")
                 .first())
        if entry is not None and entry.sequence_id == sequence.pk:
            placed.kept.append(item.index)
            anchor = entry
            continue
        try:
            anchor = sequences.add_storyboard(sequence, board, after=anchor)
        except sequences.SequenceRefused as refused:
            why = str(refused).removeprefix("Storyboard: ")
            placed.refused.append(f"item {item.index}: not added to “{sequence.title}”: {why}")
            continue
        placed.added.append(item.index)
    return placed
