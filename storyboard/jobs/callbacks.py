"""Callback URLs handed to providers, and when the next poll sweep runs.

A callback is only a hint: it makes the worker poll that job now with the app's own
credentials. The sweep is a django-q2 schedule; after each sweep its next run is moved to when
the next job is due, so polling is quick at first and slows with age without a task that sleeps.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone

SWEEP = "storyboard:poll-sweep"
SWEEP_FUNC = "storyboard.jobs.worker.poll_due_jobs"
MIN_GAP = timedelta(seconds=1)
MAX_GAP = timedelta(seconds=60)


def callback_url(job) -> str | None:
    base = settings.STORYBOARD_PUBLIC_BASE_URL
    if not base and job.account is not None and job.account.sandbox:
        base = settings.STORYBOARD_LOCAL_URL
    if not base:
        return None
    return base + reverse("jobs:callback", args=[job.pk, job.callback_secret])


def _set_next_run(when) -> None:
    from django_q.models import Schedule

    Schedule.objects.filter(name=SWEEP).update(next_run=when)


def wake_sweep(delay: float = 2.0) -> None:
    _set_next_run(timezone.now() + timedelta(seconds=delay))


def schedule_next_sweep() -> None:
    from storyboard.jobs.models import Failure, Job, State

    now = timezone.now()
    waiting = Q(state__in=[State.QUEUED, State.SUBMITTING, State.SUBMITTED, State.PROCESSING,
                           State.DOWNLOADING]) | Q(state=State.FAILED, failure=Failure.TIMED_OUT)
    due = Job.objects.filter(waiting, next_attempt_at__isnull=False).aggregate(
        Min("next_attempt_at"))["next_attempt_at__min"]
    when = min(max(due or now + MAX_GAP, now + MIN_GAP), now + MAX_GAP)
    _set_next_run(when)
