"""Is the service working: what `/healthz` answers and `manage.py doctor` starts with.

Four checks, each cheap enough to ask every few seconds (a `SELECT 1`, one primary-key read, one
aggregate over the jobs' (state, next_attempt_at) index, a broker PING), nothing written:

- the database answers;
- the poll sweep (storyboard/jobs/worker.py: poll_due_jobs) ran less than SWEEP_STALE_AFTER ago
  — it runs at least once a minute while a worker is up, so older means no worker is sweeping;
- the broker answers: Redis when REDIS_URL is set, else django-q2's queue table;
- no due job has waited for the worker longer than JOBS_LATE_AFTER.

Answers name no team, job, host or error text: the page is public. Details go to the log.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Min, Q
from django.utils import timezone

from storyboard.operations.models import last

log = logging.getLogger(__name__)

SWEEP = "poll-sweep"
SWEEP_STALE_AFTER = 120  # seconds
JOBS_LATE_AFTER = 300  # seconds
BROKER_TIMEOUT = 1.0  # seconds: a health check must answer quickly even when Redis does not


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.warning("health: the database does not answer", exc_info=True)
        return {"ok": False, "problem": "database: does not answer"}
    return {"ok": True}


def sweep(now: datetime) -> dict:
    ran = last(SWEEP)
    answer = {"last_run": _iso(ran), "stale_after_seconds": SWEEP_STALE_AFTER}
    if ran is None:
        return {"ok": False, **answer, "seconds_ago": None,
                "problem": "sweep: the poll sweep has never run (is a worker running?)"}
    ago = max(0, int((now - ran).total_seconds()))
    answer.update(seconds_ago=ago, ok=ago <= SWEEP_STALE_AFTER)
    if not answer["ok"]:
        answer["problem"] = (f"sweep: the poll sweep last ran {ago} s ago, more than "
                             f"{SWEEP_STALE_AFTER} s (is a worker running?)")
    return answer


_redis_clients: dict[str, object] = {}


def _redis(url: str):
    client = _redis_clients.get(url)
    if client is None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # Kept per URL: probes reuse one connection instead of opening one each time. No
        # retries: the probe's own caller asks again soon enough.
        client = _redis_clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT,
            retry=Retry(NoBackoff(), 0))
    return client


def broker() -> dict:
    if settings.REDIS_URL:
        try:
            _redis(settings.REDIS_URL).ping()
        except Exception:  # redis raises its own error kinds; any of them means no answer
            log.warning("health: the Redis broker does not answer", exc_info=True)
            return {"ok": False, "kind": "redis", "problem": "broker: Redis does not answer"}
        return {"ok": True, "kind": "redis"}
    from django_q.conf import Conf
    from django_q.models import OrmQ

    try:
        OrmQ.objects.using(Conf.ORM).exists()
    except DatabaseError:
        log.warning("health: the database broker does not answer", exc_info=True)
        return {"ok": False, "kind": "database",
                "problem": "broker: the database queue does not answer"}
    return {"ok": True, "kind": "database"}


def oldest_due(now: datetime) -> datetime | None:
    """When the longest-waiting job the worker should have picked up was due: the jobs the
    sweep polls or restarts, due and claimed by nobody."""
    from storyboard.jobs.models import Failure, Job, State

    polled = (Q(state__in=[State.SUBMITTED, State.PROCESSING])
              | Q(state=State.FAILED, failure=Failure.TIMED_OUT)) & ~Q(remote_task_id="")
    restarted = Q(state__in=[State.QUEUED, State.SUBMITTING])
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return (Job.objects.filter(polled | restarted, free, next_attempt_at__lte=now)
            .aggregate(due=Min("next_attempt_at"))["due"])


def jobs(now: datetime) -> dict:
    due = oldest_due(now)
    late = max(0, int((now - due).total_seconds())) if due is not None else 0
    answer = {"ok": late <= JOBS_LATE_AFTER, "oldest_due_late_seconds": late,
              "late_after_seconds": JOBS_LATE_AFTER}
    if not answer["ok"]:
        answer["problem"] = (f"jobs: a due job has waited {late} s for the worker, more than "
                             f"{JOBS_LATE_AFTER} s")
    return answer


def _unknown(why: str) -> dict:
    return {"ok": None, "unknown": why}


def report(now: datetime | None = None) -> dict:
    """Every check, the problems found (each naming its check), and `ok` when there are none."""
    now = now or timezone.now()
    checks = {"database": database()}
    if checks["database"]["ok"]:
        try:
            checks["sweep"] = sweep(now)
            checks["jobs"] = jobs(now)
        except DatabaseError:  # the database went away between two checks
            log.warning("health: a check's query failed", exc_info=True)
            checks["database"] = {"ok": False, "problem": "database: does not answer"}
    for name in ("sweep", "jobs"):
        checks.setdefault(name, _unknown("the database does not answer"))
    checks["broker"] = broker() if settings.REDIS_URL or checks["database"]["ok"] else {
        "kind": "database", **_unknown("the database does not answer")}
    problems = [check.pop("problem") for check in checks.values() if "problem" in check]
    if checks["broker"]["ok"] is None:
        problems.append("broker: the database queue does not answer")
    return {"status": "failing" if problems else "ok", "problems": problems,
            "checked_at": _iso(now), **checks}

