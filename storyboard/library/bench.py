"""Benchmark of the library's upload pipeline against the budgets in docs/benchmarks.md.

    python -m storyboard.library.bench [--runs 15] [--strict]

Generates a 12-megapixel JPEG of about 8 MB and a PNG header claiming 50,000 × 50,000 px, then
measures, each case in a fresh process so that peak memory is its own:

- baseline: decoding the JPEG and nothing else (the floor any pipeline pays), same run;
- pipeline: `prepare_image` — size and header checks, decode, EXIF orientation, re-encode,
  256 and 768 px thumbnails (budget ≤ 300 ms, ≤ 200 MB);
- upload: `store_image_upload` — the pipeline plus hashing, storage writes and the database row
  (in-memory SQLite, temporary MEDIA_ROOT);
- bomb: refusing the 50,000 × 50,000 header (budget ≤ 10 ms, no large allocation).

Prints the median and the slowest run (wall clock), the median CPU time of the process (all
threads: robust to other load on the machine, and above wall time when work runs in parallel),
and peak resident memory (VmHWM) as growth over the process's memory before the case started.
Budgets are checked against the wall-clock median on a quiet machine; `--strict` exits 1 when
a budget is missed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from storyboard.bench.throwaway import start_django

BUDGETS = {  # (ms, MB of memory growth)
    "pipeline": (300, 200),
    "upload": (300, 200),
    "bomb": (10, 50),
}


def _rss_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def make_jpeg(path: Path) -> None:
    from PIL import Image

    width, height = 4000, 3000
    ramp = Image.linear_gradient("L").resize((width, height))
    picture = Image.merge("RGB", (ramp, Image.effect_noise((width, height), 40),
                                  ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    grain = Image.effect_noise((width, height), 50)
    picture = Image.blend(picture, Image.merge("RGB", (grain, grain, grain)), 0.5)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=93)
    path.write_bytes(out.getvalue())


def make_bomb(path: Path) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b""))


def _setup_django(workdir: str) -> None:
    start_django(workdir=workdir, database_url="sqlite://:memory:",
                 media_root=os.path.join(workdir, "media"))


def child(case: str, data_path: str, runs: int) -> dict:
    """Runs one case in this process and returns its timings and memory."""
    with tempfile.TemporaryDirectory(prefix="library-bench-") as workdir:
        _setup_django(workdir)
        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        from storyboard.library.actions import store_image_upload
        from storyboard.library.images import MediaRefused, prepare_image
        from storyboard.teams.models import Team

        data = Path(data_path).read_bytes()
        team = Team.objects.create(name="Bench")

        def baseline(i):
            Image.open(io.BytesIO(data)).load()

        def pipeline(i):
            prepare_image(data, "photo.jpg")

        def upload(i):
            # Different trailing bytes per run defeat deduplication; re-encoding drops them.
            unique = data + f"run {i}".encode()
            result = store_image_upload(team, None, SimpleUploadedFile("photo.jpg", unique))
            assert result.created

        def bomb(i):
            try:
                prepare_image(data, "bomb.png")
            except MediaRefused:
                return
            raise AssertionError("the bomb was not refused")

        work = {"baseline": baseline, "pipeline": pipeline, "upload": upload, "bomb": bomb}[case]
        work(-1)  # warm-up: imports, plugin registration, first-call allocations
        before_kb = _rss_kb("VmRSS")
        times, cpu = [], []
        for i in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            work(i)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        return {
            "case": case,
            "median_ms": statistics.median(times),
            "max_ms": max(times),
            "cpu_ms": statistics.median(cpu),
            "peak_growth_mb": max(0, _rss_kb("VmHWM") - before_kb) / 1024,
            "peak_rss_mb": _rss_kb("VmHWM") / 1024,
        }


def _run_child(case: str, data: Path, runs: int) -> dict:
    out = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "storyboard.library.bench", "--child", case, "--data", str(data),
         "--runs", str(runs)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--strict", action="store_true", help="exit 1 when over a budget")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.data, args.runs)))
        return 0

    with tempfile.TemporaryDirectory(prefix="library-bench-data-") as tmp:
        jpeg, bomb = Path(tmp) / "photo.jpg", Path(tmp) / "bomb.png"
        make_jpeg(jpeg)
        make_bomb(bomb)
        print(f"input: 4000 × 3000 JPEG, {jpeg.stat().st_size / 1024 / 1024:.1f} MB; "
              f"bomb: PNG header 50,000 × 50,000, {bomb.stat().st_size} bytes; "
              f"{args.runs} runs per case, {os.cpu_count()} CPUs")
        results = [
            _run_child("baseline", jpeg, args.runs),
            _run_child("pipeline", jpeg, args.runs),
            _run_child("upload", jpeg, args.runs),
            _run_child("bomb", bomb, max(args.runs, 200)),
        ]
    base = results[0]["median_ms"]
    over = False
    print(f"{'case':<10}{'median':>10}{'slowest':>10}{'CPU':>10}{'× decode':>10}"
          f"{'peak growth':>13}{'peak RSS':>10}  budget")
    for r in results:
        budget = BUDGETS.get(r["case"])
        verdict = "(same-run baseline: decode only)"
        if budget:
            ok = r["median_ms"] <= budget[0] and r["peak_growth_mb"] <= budget[1]
            over |= not ok
            verdict = f"≤ {budget[0]} ms, ≤ {budget[1]} MB: {'ok' if ok else 'OVER'}"
        print(f"{r['case']:<10}{r['median_ms']:>8.2f}ms{r['max_ms']:>8.2f}ms"
              f"{r['cpu_ms']:>8.2f}ms"
              f"{r['median_ms'] / base:>9.3f}×{r['peak_growth_mb']:>10.1f} MB"
              f"{r['peak_rss_mb']:>7.0f} MB  {verdict}")
    return 1 if over and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
