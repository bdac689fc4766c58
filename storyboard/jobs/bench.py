"""Poll-sweep benchmark: `python -m storyboard.jobs.bench [--jobs 500] [--latency 0.2]`.

Starts the sandbox as its own process answering every call after `--latency` seconds, creates
`--jobs` in-flight tasks on a sandbox kling account in a throwaway SQLite database, then times
one `poll_due_jobs()` sweep against polling the same jobs one after another (measured on
`--sequential-sample` jobs and scaled, since the full sequential run takes minutes). Budget
(docs/benchmarks.md): one sweep of 500 jobs at 200 ms per answer ≤ 2 s, against ~100 s one at a
time.
"""

from __future__ import annotations

import argparse
import resource
import socket
import statistics
import subprocess
import sys
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

from storyboard.bench.throwaway import start_django


@contextmanager
def _sandbox_process(workdir: Path, latency: float):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "storyboard.providers.sandbox", "--port", str(port),
         "--data-dir", str(workdir / "sandbox"), "--delay", "100000", "--latency", str(latency),
         "--render-size", "64x36", "--quiet"])
    root = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{root}/_sandbox/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield root
    finally:
        process.terminate()
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--sweeps", type=int, default=3, help="timed sweeps (median)")
    parser.add_argument("--sequential-sample", type=int, default=40)
    args = parser.parse_args(argv)

    workdir = start_django("storyboard-bench-")
    from django.utils import timezone

    from storyboard.jobs import worker
    from storyboard.jobs.models import Job
    from storyboard.providers.registry import provider_for
    from storyboard.providers.sandbox import SANDBOX_CREDENTIALS, base_urls
    from storyboard.rules import BodyOptions, Settings, Storyboard, Target
    from storyboard.teams.accounts import AccountInput, add_account
    from storyboard.teams.actions import ensure_demo

    team, user = ensure_demo()  # no login needed: the benchmark never signs in
    # Its own process, as `studio` runs it: the sweep's threads do not share its interpreter.
    with _sandbox_process(workdir, args.latency) as root:
        # The sandbox this process runs, as studio names it: sandbox accounts may point only here.
        from django.conf import settings

        from storyboard.teams.apps import configure_outbound

        settings.STORYBOARD_SANDBOX_URL = root
        configure_outbound()
        account = add_account(team, AccountInput(
            "kling", "Bench", dict(SANDBOX_CREDENTIALS["kling"]),
            base_url=base_urls(root)["kling"], max_jobs=50, sandbox=True))
        provider = provider_for(account.as_provider_account())
        value = Storyboard(Settings(prompt="The same shot for every job", duration=5),
                           Target("kling", "v3"), (), {})
        print(f"creating {args.jobs} tasks on the sandbox…", file=sys.stderr)
        with ThreadPoolExecutor(32) as pool:
            ids = list(pool.map(lambda _: provider.create_task(value, {}, BodyOptions()).task_id,
                                range(args.jobs)))
        Job.objects.bulk_create([
            Job(team=team, account=account, created_by=user, submit_key=f"bench-{n}",
                dialect="kling", model="v3", title="bench", snapshot=value.to_dict(),
                planned_seconds=5, state="processing", remote_task_id=task_id,
                submitted_at=timezone.now(), next_attempt_at=timezone.now())
            for n, task_id in enumerate(ids)])

        def sweep() -> float:
            Job.objects.update(next_attempt_at=timezone.now(), claimed_until=None)
            started = time.perf_counter()
            result = worker.poll_due_jobs()
            assert result["polled"] == args.jobs, result
            return time.perf_counter() - started

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # Timed sweeps run without tracemalloc: it hooks every allocation and would slow the
        # sweep down by half; one more sweep under it measures the memory.
        sweeps = [sweep() for _ in range(args.sweeps)]
        tracemalloc.start()
        sweep()
        peak_py = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        sample = ids[: args.sequential_sample]
        started = time.perf_counter()
        for task_id in sample:
            provider.get_task(task_id)
        one_by_one = (time.perf_counter() - started) / len(sample) * args.jobs

    median = statistics.median(sweeps)
    verdict = "within" if median <= 2.0 else "OVER"
    print(f"poll sweep of {args.jobs} jobs, sandbox answering in {args.latency * 1000:.0f} ms")
    print(f"  concurrent sweep   median {median:.2f} s  (runs: "
          f"{', '.join(f'{s:.2f}' for s in sweeps)})  budget 2.00 s: {verdict}")
    print(f"  one after another  {one_by_one:.1f} s  (measured on {len(sample)} jobs, scaled)")
    print(f"  speed-up           {one_by_one / median:.0f}x")
    print(f"  memory             Python peak {peak_py / 1e6:.1f} MB during a sweep; process "
          f"max RSS {rss_after / 1024:.0f} MB (was {rss_before / 1024:.0f} MB before sweeping)")
    return 0 if median <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
