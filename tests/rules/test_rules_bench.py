"""The benchmark command runs and reports median and p99 (timing is not asserted here)."""

import re

from storyboard.rules import bench
from storyboard.rules.checks import CheckContext, check


def test_the_bench_storyboard_is_the_one_the_budget_is_about():
    sb = bench.sample_storyboard()
    report = check(sb, context=CheckContext(vip=True, public_media=True))
    assert len(sb.shots) == 6 and report.slots_used == 7
    assert report.ok, report.problems  # a clean storyboard: the strip does the full work


def test_the_bench_prints_median_and_p99_in_microseconds(capsys):
    assert bench.main(["--runs", "20"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"median \d+ µs\s+p99 \d+ µs", out)
    assert "baseline json.dumps" in out
