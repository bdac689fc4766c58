"""What an unfinished job waits for, in the words its card shows instead of a bare state.

The step that makes a job wait stores the wait on the row (`Job.wait`, `waiting_for`,
`waiting_since`, `waiting_until`); the step that lets it go on clears it. A wait of the same kind
keeps its start, so "for 50 s" counts from when the job first began waiting for that element or
slot, however often the worker looked again. States the worker does not stop in (sending,
rendering at the vendor) are described from the state itself (`describe`).

Accounts are named by the team's own label ("Studio Kling"), never by a vendor code; a job
whose account was removed says "the provider". docs/jobs.md lists every wait and who wakes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from storyboard.jobs.models import Job, State, Wait
from storyboard.providers import base as p

CLEARED = {"wait": Wait.NONE, "waiting_for": "", "waiting_since": None, "waiting_until": None}
# A job nobody picked up this long after it began waiting for the worker: the card suggests
# looking at the worker.
WORKER_LATE_SECONDS = 60

_REASONS = {
    p.Failure.RATE_LIMITED: "rate limited",
    p.Failure.NETWORK: "it could not be reached",
    p.Failure.PROVIDER_FAULT: "it answered with an error",
}


def who(job: Job) -> str:
    account = job.account if job.account_id else None
    return account.label if account is not None else "the provider"


def clock(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M:%S")


def fields(job: Job | None, kind: str, text: str, until: datetime | None = None) -> dict:
    """The row's wait fields for `kind`, keeping the start of the job's wait of the same kind
    (`job` None: a new job)."""
    going_on = job is not None and job.wait == kind and job.waiting_since
    since = job.waiting_since if going_on else timezone.now()
    return {"wait": kind, "waiting_for": text[:300], "waiting_since": since,
            "waiting_until": until}


def for_worker(job: Job | None = None, lead: str = "") -> dict:
    """Handed to the worker; nothing has picked it up yet."""
    text = f"{lead}: waiting for the worker" if lead else "Waiting for the worker"
    return fields(job, Wait.WORKER, f"{text}, nothing has picked it up yet")


def for_slot(job: Job, label: str, busy: int, limit: int) -> dict:
    return fields(job, Wait.CAPACITY, slot_text(label, busy, limit))


def slot_text(label: str, busy: int, limit: int) -> str:
    return f"Waiting for a free slot on {label}: {busy} of {limit} busy"


def for_elements(job: Job, names: list[str]) -> dict:
    quoted = ", ".join(f"“{name}”" for name in dict.fromkeys(names)) or "an element"
    noun = "elements" if len(set(names)) > 1 else "element"
    return fields(job, Wait.ELEMENT, f"Creating {noun} {quoted} on {who(job)}…")


def for_vendor(job: Job, error: p.ProviderError, until: datetime) -> dict:
    reason = _REASONS.get(error.kind, "it refused for now")
    return fields(job, Wait.VENDOR, f"Waiting for {who(job)} to accept it: {reason}, retry at "
                  f"{clock(until)}", until)


def for_lookup(job: Job, until: datetime) -> dict:
    """The create's answer was lost; the job's failure text says how many lookups are left."""
    return fields(job, Wait.LOOKUP, f"Looking the task up on {who(job)}, the next look at "
                  f"{clock(until)}", until)


def for_download(job: Job, until: datetime | None = None) -> dict:
    text = f"Downloading the clip from {who(job)}"
    if until is not None:
        text += f": the last try failed, the next at {clock(until)}"
    return fields(job, Wait.DOWNLOAD, text, until)


# --- what the card says ------------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    text: str
    since: datetime | None
    late: bool = False  # waiting for the worker for longer than it should


def describe(job: Job, now: datetime | None = None) -> Status:
    """The card's status line for an unfinished job: the stored wait, else what its state
    means."""
    now = now or timezone.now()
    if job.waiting_for:
        since = job.waiting_since or job.updated_at
        late = (job.wait == Wait.WORKER
                and (now - since).total_seconds() > WORKER_LATE_SECONDS)
        return Status(job.waiting_for, since, late)
    name = who(job)
    if job.state == State.QUEUED:  # queued before waits were stored
        return Status("Waiting for the worker, nothing has picked it up yet", job.created_at)
    if job.state == State.SUBMITTING:
        text = ("Rendering the local preview" if job.dialect == "animatic"
                else f"Sending it to {name}")
        return Status(text, job.updated_at)
    if job.state == State.SUBMITTED:
        return Status(f"Sent to {name}: waiting for it to start", job.submitted_at)
    if job.state == State.PROCESSING:
        progress = f" · {job.progress} %" if job.progress is not None else ""
        return Status(f"{name} is rendering it{progress}", job.submitted_at)
    if job.state == State.DOWNLOADING:
        return Status(f"Downloading the clip from {name}", job.updated_at)
    return Status(job.get_state_display(), None)


def waited(since: datetime | None, now: datetime | None = None) -> str:
    """"12 s", "3 min 5 s", "1 h 4 min"."""
    if since is None:
        return ""
    seconds = max(0, int(((now or timezone.now()) - since).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
