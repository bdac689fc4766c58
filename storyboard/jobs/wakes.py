"""Waking a waiting job at the moment it can go on, instead of on the next sweep.

* **A free slot.** An account runs at most `max_jobs` jobs at once (`IN_FLIGHT`: submitting to
  downloading). Slots are given out oldest job first, only under a row lock on the account
  (`SELECT … FOR UPDATE`; SQLite's IMMEDIATE transactions serialise the same way), so two
  workers can never both count the same free slot. `admit` is the gate a queued job passes on
  its way to submitting; `fill` runs when a job stops holding a slot (it finished, failed, was
  cancelled or went back to wait) and hands the free slots to the oldest jobs waiting for one.
  A job given a slot is moved to submitting *before* its task is queued: the slot is its own,
  whenever a worker gets to it.
* **An element.** A job waiting while a vendor creates an element looks again every few
  seconds (a wake at a known time, below); when any job sees the element created, every job
  waiting on elements that now all exist is queued at once (`elements_ready`).
* **A known time.** A Retry-After, a backoff, the next look at an element or a lost create: the
  job's task is scheduled for that moment as a one-off django-q2 schedule (`wake_at`).

The poll sweep stays the safety net: every waiting job also has a `next_attempt_at` a little
after its wake (a minute for a slot), and the sweep restarts jobs whose wake was lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_q.conf import Conf

from storyboard.jobs import waits
from storyboard.jobs.models import IN_FLIGHT, Job, JobSource, RemoteElement, State, Wait
from storyboard.teams.models import ProviderAccount

WAKE_PREFIX = "storyboard-wake:"  # not storyboard.schedules.PREFIX: setup_schedules keeps these
# A waiting job with a scheduled wake is due for the sweep this much later: the sweep only
# steps in when the wake was lost.
WAKE_GRACE = timedelta(seconds=20)
# A job waiting for a slot is woken when one frees; the sweep looks again after this long in
# case a wake was lost (a worker killed between the two, the limit raised in Team settings).
SLOT_RECHECK = timedelta(seconds=60)
ELEMENT_RECHECK = timedelta(seconds=3)


def _unclaimed(stamp: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=stamp)


# --- slots -------------------------------------------------------------------------------

@dataclass
class Admission:
    job: Job | None = None  # claimed and holding a slot: submit it now
    granted: list[str] = field(default_factory=list)  # other jobs given a slot: queue them
    waiting: bool = False  # no slot: it waits for one (its card says so)


def needs_slot(row: dict) -> bool:
    """A queued job that has sent nothing takes a slot; a submitting one holds its slot already,
    a lost create being looked up holds one too, the local preview needs none."""
    return (row["state"] == State.QUEUED and row["create_sent_at"] is None
            and row["account_id"] is not None and row["dialect"] != "animatic")


def admit(job_id: str, claim: Callable[[dict], Job | None]) -> Admission:
    """Gives the job a slot of its account and claims it with `claim` (called with the row as it
    was: its wait, for one that goes on), or records that it waits for one. Older jobs waiting
    for a slot go first (they are given it here and returned in `granted`)."""
    job_id = str(job_id)
    with transaction.atomic():
        row = (Job.objects.filter(pk=job_id)
               .values("state", "account_id", "create_sent_at", "dialect", "wait",
                       "waiting_since").first())
        if row is None:
            return Admission()
        if not needs_slot(row):
            return Admission(claim(row))
        account = ProviderAccount.objects.select_for_update().filter(
            pk=row["account_id"]).first()
        if account is None:  # removed meanwhile: the claim finds out and ends the job
            return Admission(claim(row))
        granted, busy = _grant(account, candidate=job_id)
        others = [pk for pk in granted if pk != job_id]
        if job_id in granted:
            return Admission(claim(row), others)
        was = Job(wait=row["wait"], waiting_since=row["waiting_since"])  # keeps its start
        stamp = timezone.now()
        Job.objects.filter(_unclaimed(stamp), pk=job_id, state=State.QUEUED).update(
            next_attempt_at=stamp + SLOT_RECHECK, updated_at=stamp,
            **waits.for_slot(was, account.label, busy, account.max_jobs))
        return Admission(None, others, waiting=True)


def fill(account_id) -> list[str]:
    """A job of this account stopped holding a slot: the free slots go to the oldest jobs
    waiting for one. Returns their ids, to be queued."""
    if account_id is None:
        return []
    with transaction.atomic():
        account = ProviderAccount.objects.select_for_update().filter(pk=account_id).first()
        if account is None:
            return []
        return _grant(account)[0]


def _grant(account: ProviderAccount, candidate: str | None = None) -> tuple[list[str], int]:
    """Under the account's lock: gives each free slot to the oldest job waiting for one (and
    `candidate`, a queued job asking now, in its place by age). Jobs given one other than the
    candidate are moved to submitting, unclaimed, so the slot is theirs; the others' cards are
    told how busy the account is now. Returns the ids given a slot, and the slots then busy."""
    stamp = timezone.now()
    busy = Job.objects.filter(account=account, state__in=IN_FLIGHT).count()
    free = max(0, account.max_jobs - busy)
    asking = Q(wait=Wait.CAPACITY) | Q(pk=candidate) if candidate else Q(wait=Wait.CAPACITY)
    granted = [str(pk) for pk in (
        Job.objects.filter(asking, _unclaimed(stamp), account=account, state=State.QUEUED,
                           create_sent_at__isnull=True)
        .order_by("created_at", "id").select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:free])] if free else []
    reserved = [pk for pk in granted if pk != candidate]
    if reserved:
        Job.objects.filter(pk__in=reserved, state=State.QUEUED).update(
            state=State.SUBMITTING, claimed_until=None, next_attempt_at=stamp,
            updated_at=stamp, wait=Wait.WORKER, waiting_since=stamp, waiting_until=None,
            waiting_for=f"A slot is free on {account.label}: waiting for the worker, nothing "
                        "has picked it up yet")
    busy += len(granted)
    Job.objects.filter(account=account, state=State.QUEUED, wait=Wait.CAPACITY).exclude(
        pk__in=granted).update(waiting_for=waits.slot_text(account.label, busy,
                                                           account.max_jobs))
    return granted, busy


# --- elements ----------------------------------------------------------------------------

def elements_ready(account_id, *, besides) -> list[str]:
    """Jobs of this account waiting for elements that now all exist on it: queued at once.
    Returns their ids; each is taken by one waker only (a conditional UPDATE)."""
    created = RemoteElement.objects.filter(account_id=account_id).exclude(
        remote_id="").values("element_version_id")
    missing = JobSource.objects.filter(job=OuterRef("pk"), element_version__isnull=False) \
        .exclude(element_version_id__in=created)
    ready = (Job.objects.filter(account_id=account_id, state=State.QUEUED, wait=Wait.ELEMENT)
             .exclude(pk=besides).filter(~Exists(missing)).select_related("account")
             .order_by("created_at")[:200])
    woken = []
    for job in ready:
        stamp = timezone.now()
        if Job.objects.filter(pk=job.pk, state=State.QUEUED, wait=Wait.ELEMENT).update(
                next_attempt_at=stamp, updated_at=stamp,
                **waits.for_worker(job, "Its elements are ready")):
            woken.append(str(job.pk))
    return woken


# --- a known time ------------------------------------------------------------------------

def safety_net(when: datetime) -> datetime:
    """When the sweep should take a job whose wake at `when` was lost: a little later, so the
    two do not both run it. Under django-q2's `sync` option (omni_batch) nothing runs
    schedules: the command's own sweep takes the job at `when`."""
    return when if Conf.SYNC else when + WAKE_GRACE


def wake_at(task: str, job_id, when: datetime) -> None:
    """Runs the job's `task` at `when`: one schedule per job and task, moved if it exists.
    Called after the row says what the job waits for, so the task finds it waiting."""
    if Conf.SYNC:
        return
    from django_q.models import Schedule

    name = f"{WAKE_PREFIX}{task}:{job_id}"
    if not Schedule.objects.filter(name=name).update(next_run=when, repeats=-1):
        Schedule.objects.create(name=name, func=f"storyboard.jobs.worker.{task}",
                                args=repr(str(job_id)), schedule_type=Schedule.ONCE,
                                repeats=-1, next_run=when)
