"""Benchmark: the full check + the cross-target strip of a 6-shot, 7-reference storyboard.

    python -m storyboard.rules.bench [--runs N]

Prints the median and p99 in microseconds, with a same-run baseline (``json.dumps`` of the
report) so numbers from different machines can be compared. Budget: well under 1 ms, so the
editor's live-check budget (docs/benchmarks.md: p50 <= 10 ms) goes to the web round trip.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from .checks import CheckContext, check, check_and_strip
from .model import Attachment, Settings, Shot, Storyboard, Target


def sample_storyboard() -> Storyboard:
    """6 shots, 7 references (4 images, 3 elements), every reference mentioned."""
    refs = {f"image_{i}": Attachment(f"https://cdn.example.com/ref{i}.jpg") for i in range(1, 5)}
    refs |= {
        f"element_{i}": Attachment(
            f"u_el{i}",
            name=f"Hero {i}",
            frontal_image=f"https://cdn.example.com/el{i}.jpg",
            extra_images=(f"https://cdn.example.com/el{i}-side.jpg",),
        )
        for i in range(1, 4)
    }
    slots = sorted(refs)
    shots = tuple(
        Shot(
            f"Shot {n}: a slow dolly across the kitchen, warm light, steam rising; "
            f"@{slots[n % 7]} turns towards @{slots[(n + 3) % 7]} while the camera settles. " * 2,
            2,
        )
        for n in range(6)
    )
    return Storyboard(
        Settings(title="Bench", mode="pro", multi_shot=True), Target("kling", "v3"), shots, refs
    )


def _time(fn: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def measure(runs: int = 2000) -> dict[str, float]:
    sb = sample_storyboard()
    ctx = CheckContext(vip=True, public_media=True)

    def full() -> object:
        report, strip = check_and_strip(sb, context=ctx)
        return report.to_dict(), [v.to_dict() for v in strip]

    report = check(sb, context=ctx).to_dict()
    _time(full, min(200, runs))  # warm-up
    work = _time(full, runs)
    base = _time(lambda: json.dumps(report), runs)
    return {
        "median_us": statistics.median(work),
        "p99_us": _p99(work),
        "baseline_median_us": statistics.median(base),
        "baseline_p99_us": _p99(base),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args(argv)
    r = measure(args.runs)
    print(f"check + cross-target strip (6 shots, 7 refs, 10 targets), {args.runs} runs:")
    print(f"  median {r['median_us']:.0f} µs   p99 {r['p99_us']:.0f} µs")
    print(
        f"baseline json.dumps(report): median {r['baseline_median_us']:.1f} µs   "
        f"p99 {r['baseline_p99_us']:.1f} µs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
