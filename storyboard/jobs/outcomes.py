"""What a poll's answer does to a job's row: still running, succeeded (ready to download),
failed, timed out, or a failed poll to try again. The worker's sweep and single polls share it;
the caller hands the job to a download when `apply` says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from storyboard.jobs import failures, rows, waits
from storyboard.jobs.models import Failure, Job, State
from storyboard.providers import base as p

MAX_POLL_ERRORS = 30


@dataclass(frozen=True)
class CannotPoll:
    """There is no provider to ask about the job: it ends failed, for this reason."""

    failure: str
    text: str


CREDENTIALS_UNREADABLE = CannotPoll(Failure.AUTHENTICATION, failures.CREDENTIALS_UNREADABLE)
ACCOUNT_REMOVED = CannotPoll(Failure.LOST, failures.ACCOUNT_REMOVED)


def apply(job: Job, outcome, provider=None, files=None) -> bool:
    """Writes the outcome; True when the job is now waiting for its download."""
    if isinstance(outcome, CannotPoll):
        rows.fail(job, outcome.failure, outcome.text)
        return False
    if isinstance(outcome, p.ProviderError):
        poll_failed(job, outcome)
        return False
    status: p.TaskStatus = outcome
    if status.state == p.TaskState.SUCCEEDED:
        if files is None:
            files = provider.result_files(status) if provider else list(status.results)
        rows.save(job, state=State.DOWNLOADING, progress=100, credits=status.credits,
                  result_files=[file_dict(f) for f in files], poll_errors=0,
                  claimed_until=None, next_attempt_at=None, **waits.for_download(job))
        return True
    if status.state == p.TaskState.FAILED:
        rows.fail(job, failures.FAILURE_OF.get(status.failure, Failure.PROVIDER_ERROR),
                  failures.task_failed(status), status.reason, credits=status.credits)
        return False
    age = (rows.now() - (job.submitted_at or job.created_at)).total_seconds()
    if age > settings.STORYBOARD_JOB_MAX_AGE:
        _timed_out(job, age)
        return False
    state = State.PROCESSING if status.state == p.TaskState.RUNNING else State.SUBMITTED
    rows.save(job, state=state, progress=status.progress, poll_errors=0, claimed_until=None,
              next_attempt_at=rows.now() + rows.poll_interval(job))
    return False


def _timed_out(job: Job, age: float) -> None:
    if job.failure != Failure.TIMED_OUT:
        minutes = settings.STORYBOARD_JOB_MAX_AGE // 60
        rows.fail(job, Failure.TIMED_OUT, f"Still not finished {minutes} minutes after it was "
                  "sent. It is checked every 10 minutes for a day in case the provider "
                  "finishes late.", next_attempt_at=rows.now() + timedelta(minutes=10))
    elif age > settings.STORYBOARD_JOB_MAX_AGE + 24 * 3600:
        rows.save(job, next_attempt_at=None, claimed_until=None)
    else:
        rows.save(job, next_attempt_at=rows.now() + timedelta(minutes=10), claimed_until=None)


def poll_failed(job: Job, error: p.ProviderError) -> None:
    if error.retryable and job.poll_errors < MAX_POLL_ERRORS:
        rows.save(job, poll_errors=job.poll_errors + 1, claimed_until=None,
                  next_attempt_at=rows.now() + rows.backoff(job.poll_errors + 1,
                                                            error.retry_after, cap=120))
        return
    rows.fail(job, failures.FAILURE_OF[error.kind], failures.call_failed(error),
              error.provider_text)


def still_running(job: Job, outcome) -> bool:
    if not isinstance(outcome, p.TaskStatus) or outcome.final:
        return False
    age = (rows.now() - (job.submitted_at or job.created_at)).total_seconds()
    return age <= settings.STORYBOARD_JOB_MAX_AGE and job.failure != Failure.TIMED_OUT


def save_unfinished(found: list[tuple[Job, p.TaskStatus]]) -> None:
    """The common case of a sweep — still running, poll again later — written as a handful of
    UPDATEs (one per state, progress and poll interval), not one per job."""
    stamp = rows.now()
    groups: dict[tuple, list] = {}
    for job, status in found:
        state = State.PROCESSING if status.state == p.TaskState.RUNNING else State.SUBMITTED
        interval = rows.poll_interval(job)
        groups.setdefault((state, status.progress, interval), []).append(job.pk)
    with transaction.atomic():
        for (state, progress, interval), ids in groups.items():
            # A job cancelled meanwhile stays cancelled.
            Job.objects.filter(pk__in=ids).exclude(state=State.CANCELLED).update(
                state=state, progress=progress, poll_errors=0, claimed_until=None,
                next_attempt_at=stamp + interval, updated_at=stamp)


def file_dict(f: p.ResultFile) -> dict:
    return {"url": f.url, "watermarked": f.watermarked, "poster_url": f.poster_url,
            "duration": f.duration}
