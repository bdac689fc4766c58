"""Handing stuck jobs to the worker again, for operators (the admin's "Re-queue" action).

Nothing here moves a job by hand. Each job gets the worker task its state calls for — the same
one the poll sweep would hand out (worker.py `_restart_stale`, `poll_due_jobs`) — and that task
claims the row with its conditional UPDATE (rows.claim) or does nothing. So a re-queue can at
worst cost one extra look: it never sends a create twice (a job whose create went out is looked
up, jobs/recovery.py), never skips an account's slot limit (wakes.admit), and never touches a
finished job. Skipped, with the reason:

* finished jobs (succeeded, failed, cancelled): running them again would be a new, possibly
  paid, submission — that is "Retry" on the job's page, which makes a new job;
* jobs a worker holds now (their claim has not expired): that worker is at it;
* sent jobs without a provider task id yet: there is nothing to poll (the sweep settles them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from storyboard.audit import actions as audit
from storyboard.jobs.actions import enqueue
from storyboard.jobs.models import FINAL, Job, State

TASKS = {
    State.QUEUED: "submit_job_task",
    State.SUBMITTING: "submit_job_task",  # counts a stall; a sent create is looked up
    State.SUBMITTED: "poll_job",
    State.PROCESSING: "poll_job",
    State.DOWNLOADING: "download_job",
}


@dataclass(frozen=True)
class Outcome:
    requeued: list[Job]
    skipped: list[tuple[Job, str]]  # the job and why


def why_not(job: Job, now=None) -> str:
    """Why `job` may not be handed to the worker again; "" when it may."""
    now = now or timezone.now()
    if job.state in FINAL:
        return (f"{job.get_state_display().lower()}: finished; Retry on its page makes a new "
                "job (which may be paid again)")
    if job.claimed_until and job.claimed_until > now:
        return (f"a worker holds it until {timezone.localtime(job.claimed_until):%H:%M:%S}; "
                "try again after that")
    if job.state in (State.SUBMITTED, State.PROCESSING) and not job.remote_task_id:
        return "sent, but the provider's task id is not known yet: the poll sweep settles it"
    if job.state not in TASKS:
        return f"in state {job.state}, which the worker does not pick up"
    return ""


def requeue_jobs(jobs) -> Outcome:
    """Hands each of `jobs` (a queryset or list) to its worker task after commit, one audit row
    each; the others are returned with the reason they were skipped."""
    requeued, skipped = [], []
    with transaction.atomic():
        now = timezone.now()
        for job in Job.objects.filter(pk__in=[j.pk for j in jobs]).order_by("created_at"):
            reason = why_not(job, now)
            if reason:
                skipped.append((job, reason))
                continue
            task = TASKS[job.state]
            audit.record(audit.Kind.JOB_REQUEUED, team=job.team_id, target=job,
                         target_text=job.title, details={"state": job.state, "task": task})
            enqueue(task, job.pk)
            requeued.append(job)
    return Outcome(requeued, skipped)
