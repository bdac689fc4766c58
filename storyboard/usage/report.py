"""What the Usage page counts, grouped in the database: the team's paid jobs of the period by
week (TruncWeek of when they were submitted), by account and by person, each with their state
and failure kind, and the seconds of their clips. The few grouped rows (a handful per week,
account or person) are added up here. Spend is the sum of each
job's estimate recorded at submission (Job.estimated_cost), counted as the monthly caps count
it (jobs/spending.py): failed jobs and those cancelled before they were sent cost nothing. The
local animatic is free and left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, Count, DateField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import TruncWeek
from django.utils import timezone

from storyboard.jobs.models import Clip, Failure, Job, State
from storyboard.jobs.spending import ANIMATIC
from storyboard.teams.models import ProviderAccount

PERIODS = (4, 12, 52)  # weeks, the choices of the period form
DEFAULT_PERIOD = 12
FAILURE_LABELS = dict(Failure.choices)
# The kinds in a word or two, for a table cell ("2 moderation, 1 timed out").
FAILURE_WORDS = {Failure.MODERATION: "moderation", Failure.REJECTED: "rejected",
                 Failure.AUTHENTICATION: "authentication", Failure.CREDITS: "credits",
                 Failure.PROVIDER_ERROR: "provider error", Failure.UNAVAILABLE: "reference gone",
                 Failure.TIMED_OUT: "timed out", Failure.LOST: "lost"}
# A job counts as spend unless it failed or was cancelled before it was sent.
COUNTED = ~Q(state=State.FAILED) & ~Q(state=State.CANCELLED, create_sent_at__isnull=True)


@dataclass
class Row:
    """The figures of one week, account or person."""

    key: object
    label: str
    jobs: int = 0
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0
    unfinished: int = 0
    seconds: float = 0.0
    spend: Decimal = Decimal(0)
    unpriced: int = 0  # jobs that count as spend but had no price when submitted
    failures: dict[str, int] = field(default_factory=dict)  # failure kind -> jobs

    def add(self, group: dict) -> None:
        n, state = group["n"], group["state"]
        self.jobs += n
        if state == State.SUCCEEDED:
            self.succeeded += n
        elif state == State.FAILED:
            self.failed += n
            kind = group["failure"] or "unknown"
            self.failures[kind] = self.failures.get(kind, 0) + n
        elif state == State.CANCELLED:
            self.cancelled += n
        else:
            self.unfinished += n
        self.spend += group["spend"] or 0
        self.unpriced += group["unpriced"]
        self.seconds += group["seconds"] or 0

    @property
    def failure_text(self) -> str:
        """"2 moderation, 1 timed out" — by kind, most first."""
        kinds = sorted(self.failures.items(), key=lambda kv: (-kv[1], kv[0]))
        return ", ".join(f"{n} {FAILURE_WORDS.get(k, k)}" for k, n in kinds)


@dataclass
class Usage:
    start: datetime  # Monday 00:00 of the first week, local time
    weeks: list[Row]
    accounts: list[Row]
    people: list[Row]
    total: Row
    failures: list[tuple[str, str, int]]  # (kind, label, jobs), most first


def period_start(weeks: int, now: datetime | None = None) -> datetime:
    """Monday 00:00 (local time) of the first of the last `weeks` weeks, this one included."""
    local = timezone.localtime(now or timezone.now())
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0,
                                                               microsecond=0)
    first = monday - timedelta(weeks=weeks - 1)
    # The same wall-clock Monday midnight even across a change of summer time.
    return timezone.make_aware(first.replace(tzinfo=None))


def _grouped(jobs, *by: str) -> list[dict]:
    """The jobs grouped by `by` and by state and failure kind: counts, spend, and the seconds of
    their clips (a subquery per job, so a job with several clips is still counted once)."""
    clip_seconds = Subquery(Clip.objects.filter(job=OuterRef("pk")).order_by()
                            .values("job").annotate(s=Sum("seconds")).values("s"))
    return list(jobs.annotate(clip_seconds=clip_seconds)
                .values(*by, "state", "failure")
                .annotate(n=Count("id"), spend=Sum("estimated_cost", filter=COUNTED),
                          unpriced=Count("id", filter=COUNTED & Q(estimated_cost__isnull=True)),
                          seconds=Sum("clip_seconds"))
                .order_by())


def build(team, weeks: int, now: datetime | None = None) -> Usage:
    """Two grouped queries (per week; per account and person), a few rows per group, and the
    names: the same handful of queries however many jobs."""
    start = period_start(weeks, now)
    jobs = Job.objects.filter(team=team, created_at__gte=start).exclude(dialect=ANIMATIC)
    first = timezone.localtime(start).date()
    week_rows = {monday: Row(monday, week_label(monday))
                 for monday in (first + timedelta(weeks=i) for i in range(weeks))}
    total = Row("total", "Total")
    for g in _grouped(jobs.annotate(week=_week(start, weeks)), "week"):
        for row in (week_rows.get(_day(g["week"])), total):
            if row is not None:
                row.add(g)
    # Accounts and people together: a team has few of each, so few groups, and one scan.
    groups = _grouped(jobs, "account_id", "created_by_id")
    accounts = dict(ProviderAccount.objects.filter(team=team).values_list("id", "label"))
    by_account = _rows(groups, "account_id", lambda pk: accounts.get(pk, "Removed account"))
    names = dict(get_user_model().objects.filter(
        pk__in={g["created_by_id"] for g in groups} - {None}).values_list("id", "username"))
    by_person = _rows(groups, "created_by_id", lambda pk: names.get(pk, "Removed user"))
    failures = sorted(((k, FAILURE_LABELS.get(k, k), n) for k, n in total.failures.items()),
                      key=lambda t: (-t[2], t[1]))
    return Usage(start, list(week_rows.values()), by_account, by_person, total, failures)


def _week(start: datetime, weeks: int):
    """The Monday of each job's week, in the database. PostgreSQL truncates natively; Django's
    TruncWeek on SQLite is a Python function called for every row (half the page's time at
    10,000 jobs), so there the same Mondays come from comparisons of the stored times with the
    week boundaries, worked out here in local time, nested as a binary search (six comparisons
    a row for a year, not fifty-two)."""
    if connection.vendor != "sqlite":
        return TruncWeek("created_at")
    first = timezone.localtime(start).replace(tzinfo=None)
    mondays = [(first + timedelta(weeks=i)).date() for i in range(weeks)]
    ends = [timezone.make_aware(first + timedelta(weeks=i + 1)) for i in range(weeks)]

    def search(lo: int, hi: int):  # the weeks lo..hi-1
        if hi - lo == 1:
            return Value(mondays[lo])
        mid = (lo + hi) // 2
        return Case(When(created_at__lt=ends[mid - 1], then=search(lo, mid)),
                    default=search(mid, hi), output_field=DateField())

    return search(0, weeks)


def _rows(groups: list[dict], key: str, label) -> list[Row]:
    rows: dict = {}
    for g in groups:
        pk = g[key]
        if pk not in rows:
            rows[pk] = Row(pk, label(pk))
        rows[pk].add(g)
    return sorted(rows.values(), key=lambda r: (-r.spend, -r.jobs, r.label))


def _day(value):
    """The Monday of a TruncWeek value (a local datetime; a date on some backends)."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def week_label(monday: date) -> str:
    return f"{monday.day} {monday:%b}"
