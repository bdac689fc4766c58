"""The worker's side of jobs: submit, the poll sweep, downloads. Every function here is a
django-q2 task that takes a job id and is safe to run twice or concurrently: it first claims the
row with a conditional UPDATE (architecture 6) and does nothing when the claim fails.

States: queued → submitting → submitted → processing → downloading → succeeded, or failed /
cancelled. `create_sent_at` is stamped before a create call leaves, so a worker killed at any
moment is recovered by looking the task up (kling, CometAPI: by our job id) instead of paying
for a second one.
"""

from __future__ import annotations

import logging
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.tasks import async_task

from storyboard.jobs import callbacks
from storyboard.jobs.caches import AssetCache, ElementCreationTasks, RemoteElementIds
from storyboard.jobs.clips import DownloadFailed, store_clip, store_local_render
from storyboard.jobs.models import IN_FLIGHT, Failure, Job, State
from storyboard.jobs.sources import job_sources, media_base
from storyboard.providers import base as p
from storyboard.providers.prepare import prepare_refs
from storyboard.providers.registry import provider_for
from storyboard.rules import BodyOptions
from storyboard.rules import Storyboard as Value
from storyboard.teams.crypto import CredentialsUnreadable

log = logging.getLogger(__name__)

MAX_SUBMIT_ATTEMPTS = 8
MAX_POLL_ERRORS = 30
SWEEP_BATCH = 1000
POLL_THREADS = 100  # blocking HTTP calls: threads wait, they do not compute
LOST_TEXT = ("The create call was sent but no answer came back, and {dialect} cannot look a "
             "task up by our job id: it was not sent again, so as not to pay twice. Check the "
             "provider's dashboard; retry only if no task is there.")
FAILURE_OF = {
    p.Failure.MODERATION: Failure.MODERATION, p.Failure.REJECTED: Failure.REJECTED,
    p.Failure.AUTHENTICATION: Failure.AUTHENTICATION, p.Failure.CREDITS: Failure.CREDITS,
    p.Failure.NOT_FOUND: Failure.PROVIDER_ERROR, p.Failure.PROVIDER_FAULT: Failure.PROVIDER_ERROR,
    p.Failure.RATE_LIMITED: Failure.PROVIDER_ERROR, p.Failure.NETWORK: Failure.PROVIDER_ERROR,
}
NOT_FOUND_TEXT = ("The provider no longer knows this task: it was deleted, refused by "
                  "moderation, or the account ran out of credits.")


def now():
    return timezone.now()


_inline: list | None = None  # set by run_inline(): tasks run in this process instead


def dispatch(task: str, job_id: str) -> None:
    """Hands a follow-up step to the worker cluster (or to the caller of run_inline)."""
    if _inline is not None:
        _inline.append((task, job_id))
    else:
        async_task(f"storyboard.jobs.worker.{task}", job_id)


class run_inline:  # noqa: N801 - used as a context manager, like a function
    """Runs follow-up steps in this process (the command line's `omni_batch` needs no cluster):
    `with run_inline() as steps: ...; steps.drain()`."""

    def __enter__(self):
        global _inline
        self.saved, _inline = _inline, []
        return self

    def drain(self) -> int:
        done = 0
        while _inline:
            task, job_id = _inline.pop(0)
            globals()[task](job_id)
            done += 1
        return done

    def __exit__(self, *exc):
        global _inline
        _inline = self.saved
        return False


def backoff(attempt: int, retry_after: float | None = None, *, base: float = 2.0,
            cap: float = 300.0) -> timedelta:
    """Exponential with full jitter, never sooner than the provider's Retry-After."""
    delay = random.uniform(0, min(cap, base * 2 ** max(0, attempt - 1)))  # noqa: S311
    return timedelta(seconds=max(delay, retry_after or 0.0, 1.0))


def poll_interval(job: Job, bucket: int | None = None) -> timedelta:
    """Quick at first, slower with age, with jitter (one of five steps from 0.8× to 1.2×) so
    jobs spread out."""
    age = (now() - (job.submitted_at or job.created_at)).total_seconds()
    base = 2 if age < 60 else 5 if age < 300 else 15 if age < 1800 else 60
    if bucket is None:
        bucket = random.randrange(5)  # noqa: S311
    return timedelta(seconds=base * (0.8 + 0.1 * bucket))


def lease() -> timedelta:
    """A claim outlives any single step; after it another worker may act on the job."""
    return timedelta(seconds=settings.STORYBOARD_JOB_LEASE)


def _claim(job_id, states, to_state=None, **extra) -> Job | None:
    """Take the row if it is in one of `states` and nobody holds it; None otherwise."""
    stamp = now()
    changes = {"claimed_until": stamp + lease(), "updated_at": stamp, **extra}
    if to_state:
        changes["state"] = to_state
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=stamp)
    if not Job.objects.filter(free, pk=job_id, state__in=states).update(**changes):
        return None
    return Job.objects.select_related("account", "team").get(pk=job_id)


def _save(job: Job, **fields) -> None:
    """Write fields unless the job was cancelled meanwhile (then the result is ignored)."""
    fields.setdefault("updated_at", now())
    Job.objects.filter(pk=job.pk).exclude(state=State.CANCELLED).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def _fail(job: Job, failure: str, text: str, provider_text: str = "", **extra) -> None:
    _save(job, state=State.FAILED, failure=failure, failure_text=text[:2000],
          provider_text=provider_text[:2000], finished_at=now(), claimed_until=None,
          next_attempt_at=extra.pop("next_attempt_at", None), **extra)


def provider_for_job(job: Job, **kwargs):
    account = job.account
    return provider_for(account.as_provider_account(), asset_cache=AssetCache(account), **kwargs)


# --- submit ------------------------------------------------------------------------------

def submit_job_task(job_id: str) -> str:
    job = _claim(job_id, [State.QUEUED, State.SUBMITTING], State.SUBMITTING)
    if job is None:
        return "not claimed"
    if job.dialect == "animatic":
        return _render_animatic(job)
    if job.account is None:
        _fail(job, Failure.LOST, "The provider account of this job was removed.")
        return "no account"
    if job.create_sent_at is not None:
        return _recover(job)
    if _over_capacity(job):
        _save(job, state=State.QUEUED, claimed_until=None,
              next_attempt_at=now() + timedelta(seconds=random.uniform(3, 6)))  # noqa: S311
        return "waiting for capacity"
    try:
        provider = provider_for_job(job)
        return _send(job, provider)
    except CredentialsUnreadable as error:
        _fail(job, Failure.AUTHENTICATION, str(error))
        return "credentials"


def _over_capacity(job: Job) -> bool:
    with transaction.atomic():
        account = type(job.account).objects.select_for_update().get(pk=job.account_id)
        busy = Job.objects.filter(account=account, state__in=IN_FLIGHT).exclude(
            pk=job.pk).count()
        return busy >= account.max_jobs


def _options(job: Job, provider) -> BodyOptions:
    hook = callbacks.callback_url(job)
    options = {"external_task_id": str(job.id)} if provider.has_external_task_id else {}
    if hook:
        options.update(provider.callback_options(hook, str(job.id)))
    return BodyOptions(**options)


def _send(job: Job, provider) -> str:
    value = Value.from_dict(job.snapshot)
    sources = job_sources(job, media_base(job.account))
    account = job.account
    try:
        prepared = prepare_refs(provider, value, media=sources.media, elements=sources.element,
                                element_ids=RemoteElementIds(account),
                                element_tasks=ElementCreationTasks(account))
        if not prepared.ready:  # the provider is still creating an element (kling)
            _save(job, state=State.QUEUED, claimed_until=None,
                  next_attempt_at=now() + timedelta(seconds=3))
            return "waiting for elements"
        options = _options(job, provider)
        body = provider.body(value, prepared.refs, options)
        _save(job, request_body=body, create_sent_at=now(), attempts=F("attempts") + 1)
        job.refresh_from_db(fields=["attempts", "state"])
        if job.state == State.CANCELLED:
            return "cancelled"
        handle = provider.create_task(value, prepared.refs, options)
    except p.ProviderError as error:
        return _submit_failed(job, provider, error)
    _save(job, state=State.SUBMITTED, remote_task_id=handle.task_id, submitted_at=now(),
          claimed_until=None, next_attempt_at=now() + poll_interval(job), failure="",
          failure_text="")
    callbacks.wake_sweep()
    return "submitted"


def _submit_failed(job: Job, provider, error: p.ProviderError) -> str:
    log.info("job %s: create failed: %r", job.short_id, error)
    if error.maybe_sent and job.create_sent_at is not None:
        return _recover(job)
    if (error.kind == p.Failure.NOT_FOUND and job.dialect == "useapi"
            and not job.provider_text.startswith("re-uploaded")):
        # useapi: a referenced upload expired on their side. Upload again, once.
        for sha in {m.sha256 for m in _job_media(job)}:
            provider.forget_asset(sha)
        _save(job, state=State.QUEUED, create_sent_at=None, claimed_until=None,
              provider_text="re-uploaded after: " + error.provider_text,
              next_attempt_at=now())
        dispatch("submit_job_task", str(job.id))
        return "re-uploading"
    if error.retryable and job.attempts < MAX_SUBMIT_ATTEMPTS:
        _save(job, state=State.QUEUED, create_sent_at=None, claimed_until=None,
              next_attempt_at=now() + backoff(job.attempts, error.retry_after),
              failure_text=f"Waiting to retry: {error.message}"[:2000])
        return "retry later"
    _fail(job, FAILURE_OF[error.kind], _plain(error), error.provider_text,
          create_sent_at=None)
    return "failed"


def _job_media(job: Job):
    sources = job_sources(job)
    found = [sources.media(slot) for slot in job.slot_sources]
    for slot in job.slot_sources:
        element = sources.element(slot)
        if element:
            found.extend(m for m in (element.spec.frontal, *element.spec.extra) if m)
    return [m for m in found if m is not None]


def _plain(error: p.ProviderError) -> str:
    lead = {
        p.Failure.MODERATION: "Refused by the provider's content moderation.",
        p.Failure.REJECTED: "The provider rejected the request.",
        p.Failure.AUTHENTICATION: "The provider refused the account's credentials.",
        p.Failure.CREDITS: "The provider account is out of credits or quota.",
        p.Failure.NOT_FOUND: "The provider could not find something the job refers to.",
    }.get(error.kind, "The provider failed.")
    return f"{lead} {error.message}"


def _recover(job: Job) -> str:
    """A create call may have reached the provider: find the task, or refuse to guess."""
    provider = provider_for_job(job)
    if not provider.has_external_task_id:
        _fail(job, Failure.LOST, LOST_TEXT.format(dialect=job.dialect), needs_attention=True)
        return "needs attention"
    try:
        found = provider.find_task(str(job.id))
    except p.ProviderError as error:
        _save(job, state=State.SUBMITTING, claimed_until=None,
              next_attempt_at=now() + backoff(job.attempts, error.retry_after))
        return "lookup failed; later"
    if found is None:  # it never arrived: sending it now cannot pay twice
        _save(job, create_sent_at=None)
        return _send(job, provider)
    _save(job, state=State.SUBMITTED, remote_task_id=found.task_id,
          submitted_at=job.submitted_at or job.create_sent_at, claimed_until=None)
    _apply(job, found, provider)
    return "recovered"


# --- polling -----------------------------------------------------------------------------

def poll_due_jobs() -> dict:
    """One sweep: claim every job whose poll is due, poll them concurrently, apply the answers,
    hand finished ones to downloads, and restart anything a dead worker left behind."""
    stamp = now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=stamp)
    due = (Q(state__in=[State.SUBMITTED, State.PROCESSING])
           | Q(state=State.FAILED, failure=Failure.TIMED_OUT))
    ids = list(Job.objects.filter(due, free, next_attempt_at__lte=stamp)
               .exclude(remote_task_id="").order_by("next_attempt_at")
               .values_list("pk", flat=True)[:SWEEP_BATCH])
    held = stamp + lease()
    Job.objects.filter(free, pk__in=ids).update(claimed_until=held)
    jobs = list(Job.objects.filter(pk__in=ids, claimed_until=held)
                .select_related("account", "team"))
    outcomes = _poll_concurrently(jobs)
    unfinished = [(job, o[0]) for job, o in outcomes if _still_running(job, o[0])]
    _save_unfinished(unfinished)
    done = {job.pk for job, _ in unfinished}
    for job, outcome in outcomes:
        if job.pk not in done:
            _apply(job, *outcome)
    restarted = _restart_stale(stamp)
    callbacks.schedule_next_sweep()
    return {"polled": len(jobs), "restarted": restarted}


def _still_running(job: Job, outcome) -> bool:
    if not isinstance(outcome, p.TaskStatus) or outcome.final:
        return False
    age = (now() - (job.submitted_at or job.created_at)).total_seconds()
    return age <= settings.STORYBOARD_JOB_MAX_AGE and job.failure != Failure.TIMED_OUT


def _save_unfinished(rows: list[tuple[Job, p.TaskStatus]]) -> None:
    """The common case of a sweep — still running, poll again later — written as a handful of
    UPDATEs (one per state, progress and poll interval), not one per job."""
    stamp = now()
    groups: dict[tuple, list] = {}
    for job, status in rows:
        state = State.PROCESSING if status.state == p.TaskState.RUNNING else State.SUBMITTED
        interval = poll_interval(job)
        groups.setdefault((state, status.progress, interval), []).append(job.pk)
    with transaction.atomic():
        for (state, progress, interval), ids in groups.items():
            # A job cancelled meanwhile stays cancelled.
            Job.objects.filter(pk__in=ids).exclude(state=State.CANCELLED).update(
                state=state, progress=progress, poll_errors=0, claimed_until=None,
                next_attempt_at=stamp + interval, updated_at=stamp)


def _poll_concurrently(jobs: list[Job]) -> list[tuple[Job, tuple]]:
    providers = {}
    for job in jobs:
        if job.account_id and job.account_id not in providers:
            try:
                providers[job.account_id] = provider_for_job(job)
            except CredentialsUnreadable:
                providers[job.account_id] = None

    def poll(job: Job):
        provider = providers.get(job.account_id)
        if provider is None:
            return job, (None, None)
        try:
            status = provider.get_task(job.remote_task_id)
            files = provider.result_files(status) if status.state == p.TaskState.SUCCEEDED \
                else []
            return job, (status, provider, files)
        except p.ProviderError as error:
            return job, (error, provider)

    if not jobs:
        return []
    with ThreadPoolExecutor(max_workers=min(POLL_THREADS, len(jobs))) as pool:
        return list(pool.map(poll, jobs))


def poll_job(job_id: str) -> str:
    """Poll one job now (a callback arrived, or the user is watching)."""
    job = _claim(job_id, [State.SUBMITTED, State.PROCESSING])
    if job is None or not job.remote_task_id:
        return "not claimed"
    provider = provider_for_job(job)
    try:
        status = provider.get_task(job.remote_task_id)
        files = provider.result_files(status) if status.state == p.TaskState.SUCCEEDED else []
        _apply(job, status, provider, files)
    except p.ProviderError as error:
        _apply(job, error, provider)
    return job.state


def _apply(job: Job, outcome, provider=None, files=None) -> None:
    if outcome is None:
        _fail(job, Failure.AUTHENTICATION, "The saved credentials cannot be read: enter them "
              "again under Team settings.")
        return
    if isinstance(outcome, p.ProviderError):
        return _poll_failed(job, outcome)
    status: p.TaskStatus = outcome
    if status.state == p.TaskState.SUCCEEDED:
        if files is None:
            files = provider.result_files(status) if provider else list(status.results)
        _save(job, state=State.DOWNLOADING, progress=100, credits=status.credits,
              result_files=[_file_dict(f) for f in files], poll_errors=0,
              claimed_until=None, next_attempt_at=None)
        dispatch("download_job", str(job.id))
        return None
    if status.state == p.TaskState.FAILED:
        if status.failure == p.Failure.NOT_FOUND:
            text = NOT_FOUND_TEXT
        else:
            text = f"The provider says the task failed: {status.reason}"
        _fail(job, FAILURE_OF.get(status.failure, Failure.PROVIDER_ERROR), text,
              status.reason, credits=status.credits)
        return None
    age = (now() - (job.submitted_at or job.created_at)).total_seconds()
    if age > settings.STORYBOARD_JOB_MAX_AGE:
        if job.failure != Failure.TIMED_OUT:
            minutes = settings.STORYBOARD_JOB_MAX_AGE // 60
            _fail(job, Failure.TIMED_OUT, f"Still not finished {minutes} minutes after it was "
                  "sent. It is checked every 10 minutes for a day in case the provider "
                  "finishes late.", next_attempt_at=now() + timedelta(minutes=10))
        elif age > settings.STORYBOARD_JOB_MAX_AGE + 24 * 3600:
            _save(job, next_attempt_at=None, claimed_until=None)
        else:
            _save(job, next_attempt_at=now() + timedelta(minutes=10), claimed_until=None)
        return None
    state = State.PROCESSING if status.state == p.TaskState.RUNNING else State.SUBMITTED
    _save(job, state=state, progress=status.progress, poll_errors=0, claimed_until=None,
          next_attempt_at=now() + poll_interval(job))
    return None


def _poll_failed(job: Job, error: p.ProviderError) -> None:
    if error.retryable and job.poll_errors < MAX_POLL_ERRORS:
        _save(job, poll_errors=job.poll_errors + 1, claimed_until=None,
              next_attempt_at=now() + backoff(job.poll_errors + 1, error.retry_after, cap=120))
        return
    _fail(job, FAILURE_OF[error.kind], _plain(error), error.provider_text)


def _file_dict(f: p.ResultFile) -> dict:
    return {"url": f.url, "watermarked": f.watermarked, "poster_url": f.poster_url,
            "duration": f.duration}


def _restart_stale(stamp) -> int:
    """Jobs a dead worker left mid-step (its claim expired) are handed out again; queued jobs
    whose wait is over are submitted."""
    expired = Q(claimed_until__lt=stamp) | Q(claimed_until__isnull=True)
    restarted = 0
    for job_id in (Job.objects.filter(expired, state__in=[State.QUEUED, State.SUBMITTING])
                   .filter(Q(next_attempt_at__lte=stamp) | Q(next_attempt_at__isnull=True))
                   .values_list("pk", flat=True)[:200]):
        dispatch("submit_job_task", str(job_id))
        restarted += 1
    for job_id in (Job.objects.filter(expired, state=State.DOWNLOADING)
                   .values_list("pk", flat=True)[:200]):
        dispatch("download_job", str(job_id))
        restarted += 1
    return restarted


# --- results -----------------------------------------------------------------------------

def download_job(job_id: str) -> str:
    job = _claim(job_id, [State.DOWNLOADING])
    if job is None:
        return "not claimed"
    try:
        store_clip(job)
    except DownloadFailed as error:
        attempts = job.attempts + 1
        if error.retryable and attempts < MAX_SUBMIT_ATTEMPTS:
            _save(job, attempts=attempts, claimed_until=now() + backoff(attempts),
                  failure_text=f"Download will be retried: {error}"[:2000])
            return "retry later"
        _fail(job, Failure.PROVIDER_ERROR, f"The clip could not be downloaded: {error}")
        return "failed"
    _save(job, state=State.SUCCEEDED, finished_at=now(), claimed_until=None, failure="",
          failure_text="")
    return "succeeded"


def _render_animatic(job: Job) -> str:
    try:
        store_local_render(job, job_sources(job).picture_paths())
    except Exception as error:  # a render bug must end the job, not loop it
        log.exception("job %s: animatic failed", job.short_id)
        _fail(job, Failure.PROVIDER_ERROR, f"The local preview could not be rendered: {error}")
        return "failed"
    _save(job, state=State.SUCCEEDED, submitted_at=job.created_at, finished_at=now(),
          progress=100, claimed_until=None)
    return "succeeded"
