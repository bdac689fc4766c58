"""Gallery benchmark: `python -m storyboard.gallery.bench [--clips 10000] [--runs 60]`.

Generates `--clips` clips (with jobs, storyboards and their revisions, elements, favourites and
decisions) in a throwaway SQLite database, then times whole requests through Django's test
client — middleware, view, queries and template, no network — for the first page of the
gallery and for filtered pages. Budget (docs/benchmarks.md): a gallery page of 48 clips out of
10,000
in ≤ 60 ms server time, with a query count independent of the number of items.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta

from storyboard.bench.throwaway import start_django

BUDGET_MS = 60.0


def _populate(n: int, team, user, other):
    from django.utils import timezone

    from storyboard.boards.models import Storyboard
    from storyboard.jobs.models import Clip, Job, JobSource
    from storyboard.library.models import Element, ElementVersion
    from storyboard.review.models import ClipReview, Decision, Favourite

    rng = random.Random(8)
    words = ("lighthouse", "harbour", "chef", "pancake", "rain", "neon", "alley", "forest",
             "dragon", "train", "window", "city", "desert", "robot", "market", "sunrise", "storm",
             "kitchen", "violin", "garden")
    roots = Storyboard.objects.bulk_create(
        [Storyboard(team=team, title=f"Board {i}") for i in range(300)])
    revisions = Storyboard.objects.bulk_create(
        [Storyboard(team=team, title=f"Board {i} (retake)", parent=roots[i])
         for i in range(100)])
    boards = roots + revisions
    elements = Element.objects.bulk_create([Element(team=team, kind="image") for _ in range(40)])
    versions = ElementVersion.objects.bulk_create(
        [ElementVersion(element=e, number=1, name=f"Hero {i}", tag="character")
         for i, e in enumerate(elements)])
    for e, v in zip(elements, versions, strict=True):
        e.current_version = v
    Element.objects.bulk_update(elements, ["current_version"])
    now = timezone.now()
    jobs = []
    for i in range(n):
        prompts = [" ".join(rng.sample(words, 4)) for _ in range(3)]
        board = boards[rng.randrange(len(boards))]
        jobs.append(Job(
            team=team, storyboard=board, created_by=user, submit_key=f"bench-{i}",
            dialect="animatic", model="v3", title=board.title, state="succeeded",
            snapshot={"shots": [{"prompt": p, "duration": 3} for p in prompts]},
            planned_seconds=9, prompt_text="\n".join(prompts),
            created_at=now - timedelta(minutes=i)))
    jobs = Job.objects.bulk_create(jobs, batch_size=2000)
    JobSource.objects.bulk_create(
        [JobSource(job_id=j.pk, slot="element_1", element_version_id=versions[rng.randrange(40)].pk)
         for j in jobs if rng.random() < 0.3], batch_size=2000)
    clips = Clip.objects.bulk_create([
        Clip(job=j, team=team, file=f"clips/{j.pk}.mp4", poster=f"clips/{j.pk}.jpg", width=1280,
             height=720, seconds=9.0, fps=24, byte_size=1, sha256="0" * 64,
             created_at=j.created_at) for j in jobs], batch_size=2000)
    # Another team's clips share the tables.
    other_jobs = Job.objects.bulk_create([
        Job(team=other, created_by=user, submit_key=f"other-{i}", dialect="animatic", model="v3",
            title="Theirs", state="succeeded", snapshot={}, prompt_text="lighthouse",
            created_at=now - timedelta(minutes=i)) for i in range(n // 5)], batch_size=2000)
    Clip.objects.bulk_create([
        Clip(job=j, team=other, file="x", width=1, height=1, seconds=1, byte_size=1, sha256="0",
             created_at=j.created_at) for j in other_jobs], batch_size=2000)
    Favourite.objects.bulk_create([Favourite(user=user, clip=c) for c in clips
                                   if rng.random() < 0.05], batch_size=2000)
    decided = [c for c in clips if rng.random() < 0.6]
    decisions = Decision.objects.bulk_create([
        Decision(clip=c, team=team, kind="approve" if rng.random() < 0.7 else "retake",
                 decided_by=user) for c in decided], batch_size=2000)
    ClipReview.objects.bulk_create([
        ClipReview(clip=d.clip, team=team, decision=d,
                   state="approved" if d.kind == "approve" else "retake")
        for d in decisions], batch_size=2000)
    return roots, revisions, elements


def _time(client, url: str, runs: int, htmx: bool = False):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    client.get(url, **headers)  # warm the template and query caches
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    html = response.content.decode()
    cards = html.count('class="clip-card') + html.count('class="queue-item"')
    return times, cpu, len(queries), cards


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args(argv)

    start_django("storyboard-gallery-bench-", static_from_source=True)
    from django.conf import settings
    from django.test import Client

    from storyboard.teams.models import Membership, Team
    from storyboard.teams.roles import Role

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("bench")  # force_login: no password
    team, other = Team.objects.create(name="Bench"), Team.objects.create(name="Other")
    Membership.objects.create(user=user, team=team, role=Role.REVIEWER)
    print(f"generating {args.clips:,} clips…", file=sys.stderr)
    started = time.perf_counter()
    roots, revisions, elements = _populate(args.clips, team, user, other)
    print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(user)
    first = client.get("/gallery/").content.decode()
    import re

    more = re.search(r'href="(\?after=[^"]+)"', first).group(1).replace("&amp;", "&")
    pages = [
        ("first page", "/gallery/", False),
        ("load more (page 2)", f"/gallery/{more}", True),
        ("storyboard + its revisions", f"/gallery/?board={revisions[0].pk}", False),
        ("approved only", "/gallery/?review=approved", False),
        ("awaiting review", "/gallery/?review=awaiting", False),
        ("element used", f"/gallery/?element={elements[3].pk}", False),
        ("text search", "/gallery/?q=lighthouse+rain", False),
        ("text search, no match", "/gallery/?q=zeppelin", False),
        ("favourites", "/gallery/?fav=1", False),
        ("date range", "/gallery/?from=2000-01-01&to=2100-01-01", False),
        ("review queue", "/review/", False),
    ]
    worst = 0.0
    print(f"gallery with {args.clips:,} clips (SQLite), {args.runs} requests each, "
          f"budget {BUDGET_MS:.0f} ms; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    print(f"  {'page':28} {'median':>8} {'p99':>8} {'cpu med':>8} {'queries':>8} {'items':>6}")
    for label, url, htmx in pages:
        times, cpu, queries, cards = _time(client, url, args.runs, htmx)
        median = statistics.median(times)
        p99 = statistics.quantiles(times, n=100)[98] if len(times) >= 2 else times[0]
        if label != "review queue":
            worst = max(worst, median)
        print(f"  {label:28} {median:6.1f}ms {p99:6.1f}ms {statistics.median(cpu):6.1f}ms "
              f"{queries:8d} {cards:6d}")
    verdict = "within" if worst <= BUDGET_MS else "OVER"
    print(f"  slowest gallery median {worst:.1f} ms (wall, server side): {verdict} budget")
    return 0 if worst <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
