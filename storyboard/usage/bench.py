"""Usage page benchmark: `python -m storyboard.usage.bench [--jobs 10000] [--runs 30]`.

Generates `--jobs` paid jobs of one team over the last year (4 accounts, 8 people, every state
and failure kind, a clip for each success, and another team's jobs in the same tables) in a
throwaway SQLite database, then times whole requests through Django's test client — middleware,
view, the grouped queries, the SVG and the template — for the Usage page over 4, 12 and 52
weeks, beside the same run's baseline: the cheapest team page (an empty storyboards search)
through the same middleware. Budgets (docs/benchmarks.md), server time: the default 12-week page
within 150 ms and the year within 400 ms, with a query count independent of the number of
jobs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal

from storyboard.bench.throwaway import start_django

BUDGETS_MS = {"usage, 12 weeks": 150.0, "usage, 52 weeks": 400.0}
STATES = ["succeeded"] * 14 + ["failed"] * 3 + ["cancelled", "processing"]
FAILURES = ["moderation", "rejected", "credits", "provider_error", "timed_out", "lost"]


def _populate(n: int, team, other, users, accounts) -> None:
    from django.utils import timezone

    from storyboard.jobs.models import Clip, Job

    rng = random.Random(19)
    now = timezone.now()
    jobs = []
    for i in range(n):
        state = rng.choice(STATES)
        when = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
        jobs.append(Job(
            team=team, account=rng.choice(accounts), created_by=rng.choice(users),
            submit_key=f"bench-{i}", dialect="kling", model="v3", title="Bench", snapshot={},
            planned_seconds=rng.choice((5, 10, 15)), state=state,
            failure=rng.choice(FAILURES) if state == "failed" else "", created_at=when,
            create_sent_at=when, estimated_cost=Decimal(rng.randrange(20, 200)) / 100))
    jobs = Job.objects.bulk_create(jobs, batch_size=2000)
    Clip.objects.bulk_create([
        Clip(job=j, team=team, file="clips/x.mp4", width=1280, height=720,
             seconds=j.planned_seconds, byte_size=1, sha256="0" * 64, created_at=j.created_at)
        for j in jobs if j.state == "succeeded"], batch_size=2000)
    Job.objects.bulk_create([
        Job(team=other, created_by=users[0], submit_key=f"other-{i}", dialect="kling",
            model="v3", title="Theirs", snapshot={}, state="succeeded",
            created_at=now - timedelta(hours=i), estimated_cost=Decimal(1))
        for i in range(n // 5)], batch_size=2000)


def _time(client, url: str, runs: int, headers: dict | None = None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = headers or {}
    client.get(url, **headers)  # warm the template and query caches
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, **headers)
    return statistics.median(times), statistics.median(cpu), len(queries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)

    start_django("storyboard-usage-bench-", static_from_source=True)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from storyboard.boards.models import RateCard
    from storyboard.teams.models import Membership, ProviderAccount, Team

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    team, other = Team.objects.create(name="Bench"), Team.objects.create(name="Other")
    users = [get_user_model().objects.create_user(f"person{i}") for i in range(8)]
    for i, user in enumerate(users):
        Membership.objects.create(user=user, team=team, role="owner" if i == 0 else "editor")
    accounts = [ProviderAccount.objects.create(team=team, dialect="kling", label=f"Account {i}")
                for i in range(4)]
    RateCard.objects.create(team=team, unit="USD", prices={"kling:v3:std": "0.10"})
    team.monthly_cap = Decimal(100_000)
    team.save()
    print(f"generating {args.jobs:,} jobs…", file=sys.stderr)
    _populate(args.jobs, team, other, users, accounts)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(users[0])
    pages = [("baseline (empty list)", "/storyboards/?q=nothing-is-called-this",
              {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "board-list"}),
             ("usage, 4 weeks", "/team/usage/?weeks=4", None),
             ("usage, 12 weeks", "/team/usage/?weeks=12", None),
             ("usage, 52 weeks", "/team/usage/?weeks=52", None)]
    print(f"Usage page with {args.jobs:,} jobs (SQLite), {args.runs} requests each; load "
          f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  {'page':24} {'median':>9} {'cpu med':>9} {'queries':>8} {'x baseline':>11}"
          "  budget")
    baseline, missed = 0.0, False
    for label, url, headers in pages:
        median, cpu, queries = _time(client, url, args.runs, headers)
        baseline = baseline or median
        budget = BUDGETS_MS.get(label)
        verdict = ""
        if budget:
            missed |= median > budget
            verdict = f"  {budget:.0f} ms: {'ok' if median <= budget else 'OVER'}"
        print(f"  {label:24} {median:7.1f}ms {cpu:7.1f}ms {queries:8d} "
              f"{median / baseline:10.1f}x{verdict}")
    return 1 if missed else 0

if __name__ == "__main__":
    sys.exit(main())
