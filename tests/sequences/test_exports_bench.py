"""The sequence export benchmark runs end to end at a tiny scale (its figures are not checked:
timings on a shared machine are read beside their baseline, never asserted)."""

import json
import subprocess
import sys


def test_the_benchmark_runs_and_reports_both_modes():
    done = subprocess.run([sys.executable, "-m", "storyboard.sequences.bench", "--takes", "2",
                           "--seconds", "0.5", "--json"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["frames"] == 24  # 2 takes x 12 frames, exactly
    assert {"copy", "encode"} <= report.keys()
    assert all(report[m]["baseline_wall_s"] > 0 for m in ("copy", "encode"))
