"""Fetching a finished task's files into a stored clip, best file first, and what a failure
is worth: the same links again later (a busy or failing server, a broken connection: 408, 429,
5xx), fresh links from the provider (a link answered as expired or gone: 403, 404, 410), or
nothing (too large, not the planned clip). The checks and the atomic keep are clips.py's; the
worker's download_job drives these steps."""

from __future__ import annotations

import logging

import httpx
from django.conf import settings

from storyboard.jobs import failures, outcomes, rows
from storyboard.jobs.clips import DownloadFailed, _checked, _keep
from storyboard.jobs.models import Clip, Failure, Job
from storyboard.providers import base as p
from storyboard.providers.http import (
    DownloadVerdict,
    TooLarge,
    build_client,
    describe_download_error,
    download,
    download_verdict,
)
from storyboard.providers.registry import PROVIDERS
from storyboard.storage import scratch_path

log = logging.getLogger(__name__)

MAX_DOWNLOAD_ATTEMPTS = 8
# An expired result link makes the worker poll the finished task again for fresh links this
# many times at most, per download attempt, before it gives up on them.
MAX_LINK_REFRESHES = 2


class FilesRefused(DownloadFailed):
    """No file of the job could be stored. `retryable`: one of them may come through later;
    `expired`: one of them answered as an expired or missing link."""

    def __init__(self, message: str, *, retryable: bool, expired: bool):
        super().__init__(message, retryable=retryable)
        self.expired = expired


def _verdict(error: BaseException) -> DownloadVerdict:
    if isinstance(error, DownloadFailed):  # fetched, but not a complete clip of the plan
        return DownloadVerdict.RETRY if error.retryable else DownloadVerdict.FINAL
    return download_verdict(error)


def _words(error: BaseException) -> str:
    return str(error) if isinstance(error, DownloadFailed) else describe_download_error(error)


def fetch_clip(job: Job) -> Clip:
    existing = Clip.objects.filter(job=job).first()
    if existing:  # a worker died after storing it: nothing to do again
        return existing
    files = job.result_files or []
    if not files:
        raise DownloadFailed("the provider reported success but gave no file", retryable=False)
    incoming = scratch_path(f"clips/{job.team_id}/{job.id}.mp4")
    problems, verdicts = [], set()
    with build_client(allow_loopback=bool(job.account and job.account.sandbox)) as client:
        for item in files:  # best first: the clean master before the watermarked file
            try:
                download(client, item["url"], incoming,
                         max_bytes=settings.STORYBOARD_CLIP_MAX_BYTES)
                info = _checked(incoming, job.planned_seconds)
            except (httpx.HTTPError, httpx.InvalidURL, TooLarge, DownloadFailed,
                    OSError) as error:
                incoming.unlink(missing_ok=True)
                verdicts.add(_verdict(error))
                kind = "watermarked file" if item.get("watermarked") else "file"
                problems.append(f"{kind}: {_words(error)}")
                continue
            return _keep(job, incoming, info, watermarked=bool(item.get("watermarked")),
                         source_url=item["url"])
    raise FilesRefused("; ".join(problems), retryable=DownloadVerdict.RETRY in verdicts,
                       expired=DownloadVerdict.LINK_EXPIRED in verdicts)


def refreshable(job: Job, error: DownloadFailed) -> bool:
    """A link answered as expired, and the job's dialect signs fresh ones when polled again."""
    provider = PROVIDERS.get(job.dialect)
    return bool(getattr(error, "expired", False) and provider and provider.fresh_result_links)


def ask_for_fresh_links(job: Job, provider) -> bool | p.ProviderError:
    """Polls the finished task again: True when it answered with links other than the ones we
    had (saved on the row), False when it did not, the ProviderError when the poll failed."""
    try:
        status = provider.get_task(job.remote_task_id)
        files = provider.result_files(status) if status.state == p.TaskState.SUCCEEDED else []
    except p.ProviderError as error:
        return error
    fresh = [outcomes.file_dict(f) for f in files]
    if not {f["url"] for f in fresh} - {f["url"] for f in job.result_files or []}:
        return False
    log.info("job %s: the result links had expired; the provider gave fresh ones",
             job.short_id)
    rows.save(job, result_files=fresh)
    return True


def failed(job: Job, error: DownloadFailed, asked: bool | p.ProviderError | None = None, *,
           refreshes: int = 0) -> str:
    """Retry later (with backoff) when one of the files, or the poll for fresh links, may come
    through then; else end the job saying why."""
    poll_error = asked if isinstance(asked, p.ProviderError) else None
    attempts = job.attempts + 1
    if (error.retryable or (poll_error and poll_error.retryable)) \
            and attempts < MAX_DOWNLOAD_ATTEMPTS:
        rows.save(job, attempts=attempts, claimed_until=rows.now() + rows.backoff(attempts),
                  failure_text=f"Download will be retried: {error}"[:2000])
        return "retry later"
    if not getattr(error, "expired", False):
        rows.fail(job, Failure.PROVIDER_ERROR, f"The clip could not be downloaded: {error}")
        return "failed"
    lead = failures.LINK_EXPIRED
    if refreshes and asked is None:  # fresh links came, and expired as well
        lead = (f"The provider's download links had expired, and so had the fresh ones it "
                f"gave when asked again ({refreshes} {'time' if refreshes == 1 else 'times'}).")
    words = f"{poll_error.message} " if poll_error else ""
    rows.fail(job, Failure.PROVIDER_ERROR, failures.plain(lead, f"{words}Last answer: {error}."),
              poll_error.provider_text if poll_error else "")
    return "failed"
