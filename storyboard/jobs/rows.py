"""Writes on a job's row that every worker step shares: claim it, save fields, end it failed, and
when to try again. The row is the truth (docs/architecture.md §5–6), so each write is one UPDATE
that
leaves a job cancelled meanwhile as it is."""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from storyboard.jobs.models import Job, State
from storyboard.webhooks import events as webhook_events


def now():
    return timezone.now()


def lease() -> timedelta:
    """A claim outlives any single step; after it another worker may act on the job."""
    return timedelta(seconds=settings.STORYBOARD_JOB_LEASE)


def claim(job_id, states, to_state=None, **extra) -> Job | None:
    """Take the row if it is in one of `states` and nobody holds it; None otherwise."""
    stamp = now()
    changes = {"claimed_until": stamp + lease(), "updated_at": stamp, **extra}
    if to_state:
        changes["state"] = to_state
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=stamp)
    if not Job.objects.filter(free, pk=job_id, state__in=states).update(**changes):
        return None
    return Job.objects.select_related("account", "team").get(pk=job_id)


def save(job: Job, **fields) -> None:
    """Write fields unless the job was cancelled meanwhile (then the result is ignored)."""
    fields.setdefault("updated_at", now())
    Job.objects.filter(pk=job.pk).exclude(state=State.CANCELLED).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)
    webhook_events.job_changed(job, fields)  # succeeded or failed: clip.ready or job.failed


def fail(job: Job, failure: str, text: str, provider_text: str = "", **extra) -> None:
    save(job, state=State.FAILED, failure=failure, failure_text=text[:2000],
         provider_text=provider_text[:2000], finished_at=now(), claimed_until=None,
         next_attempt_at=extra.pop("next_attempt_at", None), **extra)


def backoff(attempt: int, retry_after: float | None = None, *, base: float = 2.0,
            cap: float = 300.0) -> timedelta:
    """Exponential with full jitter, never sooner than the provider's Retry-After."""
    delay = random.uniform(0, min(cap, base * 2 ** max(0, attempt - 1)))  # noqa: S311
    return timedelta(seconds=max(delay, retry_after or 0.0, 1.0))


def steady_backoff(attempt: int, retry_after: float | None = None, *, base: float = 2.0,
                   cap: float = 60.0) -> timedelta:
    """Exponential with half the delay jittered: unlike full jitter, n tries always span at
    least base·(2ⁿ−1)/2 seconds, which is what a wait for a vendor to catch up needs."""
    step = min(cap, base * 2 ** max(0, attempt - 1))
    delay = random.uniform(step / 2, step)  # noqa: S311
    return timedelta(seconds=max(delay, retry_after or 0.0, 1.0))


def poll_interval(job: Job, bucket: int | None = None) -> timedelta:
    """Quick at first, slower with age, with jitter (one of five steps from 0.8× to 1.2×) so
    jobs spread out."""
    age = (now() - (job.submitted_at or job.created_at)).total_seconds()
    base = 2 if age < 60 else 5 if age < 300 else 15 if age < 1800 else 60
    if bucket is None:
        bucket = random.randrange(5)  # noqa: S311
    return timedelta(seconds=base * (0.8 + 0.1 * bucket))
