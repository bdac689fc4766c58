"""The worker's side of jobs: submit, the poll sweep, downloads. Every function here is a
django-q2 task that takes a job id and is safe to run twice or concurrently: it first claims the
row with a conditional UPDATE (docs/architecture.md §6) and does nothing when the claim fails.

States: queued → submitting → submitted → processing → downloading → succeeded, or failed /
cancelled. `create_sent_at` is stamped before a create call leaves, so a worker killed at any
moment, or a create whose answer was lost, is recovered by looking the task up by our job id
instead of paying for a second one (jobs/recovery.py says how long and how often). A job whose
provider account is gone (Job.account is SET_NULL: Team settings refuses to remove an account
with unfinished jobs, but a race or the admin can) ends failed saying so, at whichever step.

A job that has to wait says what for (jobs/waits.py) and is woken when it can go on
(jobs/wakes.py): a job that stops holding one of its account's slots hands it to the oldest job
waiting for one, an element created wakes the jobs waiting on it, a wait with a known end is
scheduled for that moment. The sweep restarts whatever such a wake missed.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from functools import wraps

from django.db.models import Case, F, PositiveSmallIntegerField, Q, When
from django_q.tasks import async_task

from storyboard import logs
from storyboard.jobs import callbacks, downloads, failures, outcomes, recovery, rows, waits, wakes
from storyboard.jobs.actions import unshared_text
from storyboard.jobs.caches import AssetCache, ElementCreationTasks, RemoteElementIds
from storyboard.jobs.clips import DownloadFailed, store_local_render
from storyboard.jobs.models import FINAL, IN_FLIGHT, Failure, Job, State
from storyboard.jobs.rows import backoff, now
from storyboard.jobs.sources import job_sources, media_base
from storyboard.operations.models import beat
from storyboard.providers import base as p
from storyboard.providers.prepare import prepare_refs
from storyboard.providers.registry import provider_for
from storyboard.rules import BodyOptions
from storyboard.rules import Storyboard as Value
from storyboard.teams.crypto import CredentialsUnreadable

log = logging.getLogger(__name__)

MAX_SUBMIT_ATTEMPTS = 8
SWEEP_BATCH = 1000
POLL_THREADS = 100  # blocking HTTP calls: threads wait, they do not compute


def dispatch(task: str, job_id: str) -> None:
    """Hands a follow-up step to the worker cluster. Under django-q2's `sync` option (the
    `omni_batch` command sets it) the step runs here and now instead."""
    async_task(f"storyboard.jobs.worker.{task}", job_id)


def _logged(task):
    """Every line the task logs names its job and the job's team (storyboard/logs.py)."""

    @wraps(task)
    def run(job_id: str) -> str:
        team = Job.objects.filter(pk=job_id).values_list("team_id", flat=True).first()
        with logs.bound(job=str(job_id), team=team):
            return task(job_id)

    return run


class AccountRemoved(Exception):
    """The job's provider account no longer exists (Job.account is SET_NULL)."""


def provider_for_job(job: Job, **kwargs):
    account = job.account
    if account is None:
        raise AccountRemoved(str(job.pk))
    return provider_for(account.as_provider_account(), asset_cache=AssetCache(account), **kwargs)


def _account_removed(job: Job) -> str:
    rows.fail(job, Failure.LOST, failures.ACCOUNT_REMOVED)
    return "no account"


def _who(job: Job) -> str:
    return job.account.label if job.account_id and job.account else job.dialect


def _left_slot(job: Job) -> None:
    """A job that no longer runs (finished, failed, or back to waiting) frees its account's slot
    now: the oldest job waiting for one gets it and is queued at once."""
    if job.account_id and job.state not in IN_FLIGHT:
        for other in wakes.fill(job.account_id):
            dispatch("submit_job_task", other)


# --- submit ------------------------------------------------------------------------------

@_logged
def submit_job_task(job_id: str) -> str:
    admission = wakes.admit(job_id, lambda row: _claim_for_submit(job_id, row))
    for other in admission.granted:  # older jobs that were waiting for a slot go first
        dispatch("submit_job_task", other)
    if admission.waiting:
        return "waiting for capacity"
    if admission.job is None:
        return "not claimed"
    outcome = _submit(admission.job)
    _left_slot(admission.job)
    return outcome


def _claim_for_submit(job_id: str, row: dict) -> Job | None:
    # A submitting row still claimed by nobody alive: its worker stopped mid-step.
    stalled = Case(When(state=State.SUBMITTING, claimed_until__isnull=False,
                        then=F("stalls") + 1), default=F("stalls"),
                   output_field=PositiveSmallIntegerField())
    job = rows.claim(job_id, [State.QUEUED, State.SUBMITTING], State.SUBMITTING,
                     stalls=stalled, **waits.CLEARED)
    if job is not None:  # the row's wait is cleared; a next wait of this kind keeps its start
        job.wait, job.waiting_since = row["wait"], row["waiting_since"]
    return job


def _submit(job: Job) -> str:
    if job.stalls > recovery.setting("STORYBOARD_SUBMIT_MAX_STALLS"):
        rows.fail(job, Failure.LOST, recovery.stalled_text(job), needs_attention=True)
        return "needs attention"
    if job.create_sent_at is None and (unshared := unshared_text(job)):
        rows.fail(job, Failure.UNAVAILABLE, unshared)  # a share ended after it was queued
        return "no longer shared"
    if job.dialect == "animatic":
        return _render_animatic(job)
    if job.account is None:
        return _account_removed(job)
    try:
        if job.create_sent_at is not None:
            return _recover(job, provider_for_job(job))
        return _send(job, provider_for_job(job))
    except CredentialsUnreadable:
        rows.fail(job, Failure.AUTHENTICATION, failures.CREDENTIALS_UNREADABLE,
                  needs_attention=job.create_sent_at is not None)
        return "credentials"
    except AccountRemoved:  # removed after the job was claimed
        return _account_removed(job)


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
        if sources.versions:  # an element this job saw created may be what others wait on
            for other in wakes.elements_ready(account.pk, besides=job.pk):
                dispatch("submit_job_task", other)
        if not prepared.ready:  # the provider is still creating an element
            _wait_until(job, now() + wakes.ELEMENT_RECHECK, state=State.QUEUED,
                        **waits.for_elements(job, _element_names(sources,
                                                                 prepared.pending_elements)))
            return "waiting for elements"
        options = _options(job, provider)
        body = provider.body(value, prepared.refs, options)
        rows.save(job, request_body=body, create_sent_at=now(), create_lookups=0,
                  attempts=F("attempts") + 1)
        job.refresh_from_db(fields=["attempts", "state"])
        if job.state == State.CANCELLED:
            return "cancelled"
        handle = provider.create_task(value, prepared.refs, options)
    except p.ProviderError as error:
        return _submit_failed(job, provider, error)
    rows.save(job, state=State.SUBMITTED, remote_task_id=handle.task_id, submitted_at=now(),
              claimed_until=None, next_attempt_at=now() + rows.poll_interval(job), failure="",
              failure_text="", **waits.CLEARED)
    callbacks.wake_sweep()
    return "submitted"


def _element_names(sources, pending: dict[str, str]) -> list[str]:
    return [element.spec.name for slot in pending if (element := sources.element(slot))]


def _wait_until(job: Job, when, task: str = "submit_job_task", **fields) -> None:
    """The job waits until `when`, a known moment: its task is scheduled for then, and the
    sweep takes it a little later should that wake be lost."""
    rows.save(job, claimed_until=None, next_attempt_at=wakes.safety_net(when), **fields)
    wakes.wake_at(task, job.id, when)


def _submit_failed(job: Job, provider, error: p.ProviderError) -> str:
    log.info("job %s: create failed: %r", job.short_id, error)
    if error.maybe_sent and job.create_sent_at is not None:
        return _recover(job, provider)
    if error.missing_elements:
        return _recreate_elements(job, error)
    if error.stale_uploads and not job.uploads_redone:
        recovery.forget_uploads(job, provider)
        return _submit_again(job, uploads_redone=True,
                             failure_text="Uploading the references again: the provider no "
                             "longer had them.")
    if error.retryable and job.attempts < MAX_SUBMIT_ATTEMPTS:
        when = now() + backoff(job.attempts, error.retry_after)
        _wait_until(job, when, state=State.QUEUED, create_sent_at=None,
                    failure_text=f"Waiting to retry: {error.message}"[:2000],
                    **waits.for_vendor(job, error, when))
        return "retry later"
    text = failures.call_failed(error)
    if error.stale_uploads:
        text = failures.plain("The provider no longer has a file this job uploaded, even after "
                              "it was uploaded again.", error.message)
    rows.fail(job, failures.FAILURE_OF[error.kind], text, error.provider_text,
              create_sent_at=None)
    return "failed"


def _submit_again(job: Job, **fields) -> str:
    """The create was refused before any task existed: submit again now, with `fields`. The
    job stays submitting, so it keeps its slot of the account."""
    rows.save(job, state=State.SUBMITTING, create_sent_at=None, claimed_until=None,
              next_attempt_at=now(), **waits.for_worker(job, "Sending it again"), **fields)
    dispatch("submit_job_task", str(job.id))
    return "submitting again"


def _recreate_elements(job: Job, error: p.ProviderError) -> str:
    """The vendor does not know element ids we cached: drop them and create them again, once."""
    missing = recovery.forget_elements(job, error.missing_elements)
    if job.elements_recreated or missing.given_as_ids:
        rows.fail(job, Failure.REJECTED, failures.plain(
            recovery.elements_gone_text(missing, again=job.elements_recreated), error.message),
            error.provider_text, create_sent_at=None)
        return "failed"
    return _submit_again(job, elements_recreated=True, failure_text=(
        recovery.elements_gone_text(missing, again=False) + " Creating it again.")[:2000])


def _recover(job: Job, provider) -> str:
    """A create call may have reached the provider: find the task, or refuse to guess."""
    who = _who(job)
    if not provider.has_external_task_id:
        rows.fail(job, Failure.LOST, recovery.unsearchable_text(job, who), needs_attention=True)
        return "needs attention"
    lookups = job.create_lookups + 1
    try:
        found = provider.find_task(str(job.id))
    except p.ProviderError as error:
        if not error.retryable or recovery.lookups_exhausted(job, lookups):
            rows.fail(job, Failure.LOST, recovery.lookup_failed_text(job, who, lookups,
                                                                     error.message),
                      error.provider_text, needs_attention=True, create_lookups=lookups)
            return "needs attention"
        return _look_again(job, lookups, error.retry_after)
    if found is None:
        if not recovery.nothing_found_is_final(job, lookups):
            return _look_again(job, lookups)
        if provider.idempotent_create and not job.create_resent:
            # The vendor refuses a second create with this external id: sending it cannot
            # pay twice, and a create that did arrive after all is answered with its task.
            rows.save(job, create_sent_at=None, create_resent=True, create_lookups=lookups)
            return _send(job, provider)
        rows.fail(job, Failure.LOST, recovery.not_listed_text(job, who, lookups,
                                                              resent=job.create_resent),
                  needs_attention=True, create_lookups=lookups)
        return "needs attention"
    rows.save(job, state=State.SUBMITTED, remote_task_id=found.task_id, create_lookups=lookups,
              submitted_at=job.submitted_at or job.create_sent_at, claimed_until=None,
              failure_text="", **waits.CLEARED)
    _apply(job, found, provider)
    return "recovered"


def _look_again(job: Job, lookups: int, retry_after: float | None = None) -> str:
    when = now() + recovery.lookup_delay(lookups, retry_after)
    most = recovery.setting("STORYBOARD_LOST_CREATE_LOOKUPS")
    _wait_until(job, when, state=State.SUBMITTING, create_lookups=lookups,
                failure_text=f"Sent, but the answer was lost: looking the task up ({lookups} "
                f"of at most {most}).", **waits.for_lookup(job, when))
    return "looking the task up again later"


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
    held = stamp + rows.lease()
    Job.objects.filter(free, pk__in=ids).update(claimed_until=held)
    jobs = list(Job.objects.filter(pk__in=ids, claimed_until=held)
                .select_related("account", "team"))
    answers = _poll_concurrently(jobs)
    unfinished = [(job, o[0]) for job, o in answers if outcomes.still_running(job, o[0])]
    outcomes.save_unfinished(unfinished)
    done = {job.pk for job, _ in unfinished}
    ready = []
    for job, outcome in answers:
        if job.pk in done:
            continue
        with logs.bound(job=str(job.pk), team=job.team_id):
            try:
                if outcomes.apply(job, *outcome):
                    ready.append(job.pk)
            except Exception:  # one bad answer must not stop the others; its claim expires
                log.exception("job %s: the poll's answer could not be applied", job.short_id)
    for job_id in ready:  # after every answer is written: a download may take a while
        dispatch("download_job", str(job_id))
    for account_id in {job.account_id for job in jobs if job.state not in IN_FLIGHT}:
        for other in wakes.fill(account_id):  # jobs that ended freed their slots
            dispatch("submit_job_task", other)
    restarted = _restart_stale(stamp)
    callbacks.schedule_next_sweep()
    beat("poll-sweep")  # /healthz and doctor: a sweep that stops running is noticed
    return {"polled": len(jobs), "restarted": restarted}


def _poll_concurrently(jobs: list[Job]) -> list[tuple[Job, tuple]]:
    """Each job's answer as the arguments of outcomes.apply; a job whose account is gone or
    unreadable gets the reason it cannot be polled, and the others are polled all the same."""
    providers = {}
    for job in jobs:
        if job.account is not None and job.account_id not in providers:
            try:
                providers[job.account_id] = provider_for_job(job)
            except CredentialsUnreadable:
                providers[job.account_id] = outcomes.CREDENTIALS_UNREADABLE

    def poll(job: Job):
        with logs.bound(job=str(job.pk), team=job.team_id):  # pool threads start unbound
            return polled(job)

    def polled(job: Job):
        provider = (providers[job.account_id] if job.account is not None
                    else outcomes.ACCOUNT_REMOVED)
        if isinstance(provider, outcomes.CannotPoll):
            return job, (provider,)
        try:
            status = provider.get_task(job.remote_task_id)
            files = provider.result_files(status) if status.state == p.TaskState.SUCCEEDED \
                else []
            return job, (status, provider, files)
        except p.ProviderError as error:
            return job, (error, provider)
        except Exception:  # an adapter bug: a failed poll of this job only, tried again later
            log.exception("job %s: polling failed", job.short_id)
            return job, (p.ProviderError(p.Failure.PROVIDER_FAULT, "The provider's answer could "
                                         "not be read; see the worker's log.",
                                         retryable=True), provider)

    if not jobs:
        return []
    with ThreadPoolExecutor(max_workers=min(POLL_THREADS, len(jobs))) as pool:
        return list(pool.map(poll, jobs))


@_logged
def poll_job(job_id: str) -> str:
    """Poll one job now (a callback arrived, or the user is watching)."""
    job = rows.claim(job_id, [State.SUBMITTED, State.PROCESSING])
    if job is None or not job.remote_task_id:
        return "not claimed"
    try:
        provider = provider_for_job(job)
    except CredentialsUnreadable:
        _apply(job, outcomes.CREDENTIALS_UNREADABLE)
        return job.state
    except AccountRemoved:
        _apply(job, outcomes.ACCOUNT_REMOVED)
        return job.state
    try:
        status = provider.get_task(job.remote_task_id)
        files = provider.result_files(status) if status.state == p.TaskState.SUCCEEDED else []
        _apply(job, status, provider, files)
    except p.ProviderError as error:
        _apply(job, error, provider)
    return job.state


def _apply(job: Job, outcome, provider=None, files=None) -> None:
    if outcomes.apply(job, outcome, provider, files):
        dispatch("download_job", str(job.id))
    _left_slot(job)


def _restart_stale(stamp) -> int:
    """Jobs a dead worker left mid-step (its claim expired) are handed out again; queued jobs
    whose wait is over, and lost creates due for a lookup, are submitted (submit_job_task
    counts the restarts of a stalled submit and ends the job before it loops forever)."""
    expired = Q(claimed_until__lt=stamp) | Q(claimed_until__isnull=True)
    restarted = 0
    for job_id in (Job.objects.filter(expired, state__in=[State.QUEUED, State.SUBMITTING])
                   .filter(Q(next_attempt_at__lte=stamp) | Q(next_attempt_at__isnull=True))
                   .order_by(F("next_attempt_at").asc(nulls_first=True))
                   .values_list("pk", flat=True)[:200]):
        dispatch("submit_job_task", str(job_id))
        restarted += 1
    for job_id in (Job.objects.filter(expired, state=State.DOWNLOADING)
                   .values_list("pk", flat=True)[:200]):
        dispatch("download_job", str(job_id))
        restarted += 1
    return restarted


# --- results -----------------------------------------------------------------------------

@_logged
def download_job(job_id: str) -> str:
    """Fetches the clip. Links that answer as expired are replaced by polling the finished task
    again where the dialect signs fresh ones (at most MAX_LINK_REFRESHES times); failures worth
    it (busy, failing, cut short) are retried later with backoff; the rest end the job."""
    job = rows.claim(job_id, [State.DOWNLOADING])
    if job is None:
        return "not claimed"
    if job.account is None:
        return _account_removed(job)
    outcome = _download(job)
    if outcome == "retry later":  # downloads.failed holds the claim until the next try
        rows.save(job, **waits.for_download(job, job.claimed_until))
        wakes.wake_at("download_job", job.id, job.claimed_until)
    elif job.state in FINAL:
        rows.save(job, **waits.CLEARED)
    _left_slot(job)
    return outcome


def _download(job: Job) -> str:
    for refresh in range(downloads.MAX_LINK_REFRESHES + 1):
        try:
            downloads.fetch_clip(job)
            break
        except DownloadFailed as error:
            if not (downloads.refreshable(job, error)
                    and refresh < downloads.MAX_LINK_REFRESHES):
                return downloads.failed(job, error, refreshes=refresh)
            try:
                asked = downloads.ask_for_fresh_links(job, provider_for_job(job))
            except (CredentialsUnreadable, AccountRemoved):
                asked = False
            if asked is not True:
                return downloads.failed(job, error, asked, refreshes=refresh)
    rows.save(job, state=State.SUCCEEDED, finished_at=now(), claimed_until=None, failure="",
              failure_text="", **waits.CLEARED)
    return "succeeded"


def _render_animatic(job: Job) -> str:
    try:
        store_local_render(job, job_sources(job).picture_paths())
    except Exception as error:  # a render bug must end the job, not loop it
        log.exception("job %s: animatic failed", job.short_id)
        rows.fail(job, Failure.PROVIDER_ERROR,
                  f"The local preview could not be rendered: {error}")
        return "failed"
    rows.save(job, state=State.SUCCEEDED, submitted_at=job.created_at, finished_at=now(),
              progress=100, claimed_until=None)
    return "succeeded"
