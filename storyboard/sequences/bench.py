"""Benchmark of the sequence MP4 export against same-run baselines (docs/benchmarks.md):
10 storyboards, 150 s of 1080p H.264 takes, budget <= 1.5x the plain-PyAV baseline of the
same encoding mode, in wall time and in peak memory.

    python -m storyboard.sequences.bench [--takes 10] [--seconds 15] [--runs 1] [--json]

Two modes, each against its own baseline, every measurement a fresh subprocess (its peak RSS
is its own, as in storyboard/providers/animatic_bench.py):
- stream copy: the export of takes that already match (the fast path) against a bare PyAV
  remux of the same packets one after another;
- re-encode: the export forced to decode, resample and encode, against a bare PyAV
  decode -> encode loop with the same x264 options.
The takes are synthetic (moving bars over a gradient, so x264 and the decoder do real work),
written into a temporary folder; nothing is committed. No Django import.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from storyboard.providers.animatic_bench import _cpu_seconds, _peak_rss_mb

BUDGET_RATIO = 1.5
SIZE = (1920, 1080)
FPS = 24


def make_takes(folder: Path, takes: int, seconds: float) -> list[Path]:
    import av
    from PIL import Image, ImageDraw

    pictures = []
    for n in range(12):  # a dozen pictures cycled: cheap to make, not trivial to encode
        img = Image.linear_gradient("L").resize(SIZE).convert("RGB")
        draw = ImageDraw.Draw(img)
        for k in range(6):
            x = (n * 40 + k * 330) % SIZE[0]
            draw.rectangle((x, 100 + k * 150, x + 220, 220 + k * 150),
                           fill=((n * 20 + k * 40) % 256, 120, (255 - n * 20) % 256))
        pictures.append(av.VideoFrame.from_image(img).reformat(format="yuv420p"))
    paths = []
    frames = round(seconds * FPS)
    for t in range(takes):
        path = folder / f"take_{t + 1:02d}.mp4"
        with av.open(str(path), "w", format="mp4") as out:
            stream = out.add_stream("libx264", rate=FPS)
            stream.width, stream.height = SIZE
            stream.pix_fmt = "yuv420p"
            stream.codec_context.options = {"preset": "ultrafast", "crf": "23",
                                            "threads": str(os.cpu_count() or 1)}
            for n in range(frames):
                frame = pictures[(n // 2 + t) % len(pictures)]
                frame.pts = n
                frame.time_base = Fraction(1, FPS)
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
        paths.append(path)
    return paths


def _takes(folder: Path) -> list[Path]:
    return sorted(folder.glob("take_*.mp4"))


def _child_export(folder: Path, copy: bool) -> dict:
    from .cut import Cut, CutItem
    from .reel_mp4 import probe_take, render_reel

    start, cpu = time.perf_counter(), _cpu_seconds()
    items = []
    for n, path in enumerate(_takes(folder), start=1):
        info = probe_take(path)
        items.append(CutItem(f"Storyboard {n}", path, info.frames, info.fps))
    cut = Cut("bench", Fraction(FPS), *SIZE, items)
    result = render_reel(cut, folder / "export.mp4", allow_copy=copy)
    wall = time.perf_counter() - start
    assert result.copied == copy, "the export did not take the path it measures"
    return {"wall": wall, "cpu": _cpu_seconds() - cpu, "rss_mb": _peak_rss_mb(),
            "frames": result.frames, "seconds": result.seconds}


def _child_copy_baseline(folder: Path) -> dict:
    """Bare PyAV: every take's packets into one MP4, timestamps moved on."""
    import av

    start, cpu = time.perf_counter(), _cpu_seconds()
    # The same kind of file as the export: index up front (faststart), for playing on the web.
    with av.open(str(folder / "copy.mp4"), "w", format="mp4",
                 options={"movflags": "+faststart"}) as out:
        stream, offset = None, 0
        for path in _takes(folder):
            with av.open(str(path)) as container:
                source = container.streams.video[0]
                stream = stream or out.add_stream_from_template(source)
                last = 0
                for packet in container.demux(source):
                    if packet.dts is None:
                        continue
                    last = max(last, packet.pts + packet.duration)
                    packet.pts += offset
                    packet.dts += offset
                    packet.stream = stream
                    out.mux(packet)
                offset += last
    wall = time.perf_counter() - start
    return {"wall": wall, "cpu": _cpu_seconds() - cpu, "rss_mb": _peak_rss_mb()}


def _child_encode_baseline(folder: Path) -> dict:
    """Bare PyAV: decode every take and encode its frames with the export's x264 options."""
    import av

    from .reel_mp4 import open_encoder

    start, cpu = time.perf_counter(), _cpu_seconds()
    with av.open(str(folder / "encode.mp4"), "w", format="mp4",
                 options={"movflags": "+faststart"}) as out:
        stream = open_encoder(out, *SIZE, Fraction(FPS))
        n = 0
        for path in _takes(folder):
            with av.open(str(path)) as container:
                container.streams.video[0].thread_type = "AUTO"
                for frame in container.decode(video=0):
                    frame.pts = n
                    frame.time_base = Fraction(1, FPS)
                    out.mux(stream.encode(frame))
                    n += 1
        out.mux(stream.encode(None))
    wall = time.perf_counter() - start
    return {"wall": wall, "cpu": _cpu_seconds() - cpu, "rss_mb": _peak_rss_mb()}


def _run_child(kind: str, folder: Path, *extra: str) -> dict:
    cmd = [sys.executable, "-m", "storyboard.sequences.bench", "--child", kind, str(folder),
           *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(done.stdout.strip().splitlines()[-1])


def _mode(runs: list[dict], bases: list[dict]) -> dict:
    wall, base_wall = (statistics.median(r["wall"] for r in rs) for rs in (runs, bases))
    rss, base_rss = (max(r["rss_mb"] for r in rs) for rs in (runs, bases))
    return {"wall_s": round(wall, 3), "cpu_s": round(statistics.median(r["cpu"] for r in runs), 3),
            "rss_mb": round(rss, 1), "baseline_wall_s": round(base_wall, 3),
            "baseline_rss_mb": round(base_rss, 1),
            "wall_ratio": round(wall / base_wall, 2), "rss_ratio": round(rss / base_rss, 2),
            "within_budget": wall <= BUDGET_RATIO * base_wall and rss <= BUDGET_RATIO * base_rss}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--takes", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--runs", type=int, default=1, help="measurements per mode (median)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, folder = args.child[0], Path(args.child[1])
        if kind == "takes":
            make_takes(folder, int(args.child[2]), float(args.child[3]))
            out = {}
        elif kind == "copy-baseline":
            out = _child_copy_baseline(folder)
        elif kind == "encode-baseline":
            out = _child_encode_baseline(folder)
        else:
            out = _child_export(folder, copy=kind == "copy")
        print(json.dumps(out))
        return 0

    if args.takes < 1 or args.seconds <= 0:
        parser.error("--takes and --seconds must be positive")
    with tempfile.TemporaryDirectory(prefix="sequence-bench-") as tmp:
        folder = Path(tmp)
        _run_child("takes", folder, str(args.takes), str(args.seconds))
        results = {"copy": ([], []), "encode": ([], [])}
        for _ in range(max(1, args.runs)):  # interleaved: both see the same machine load
            for mode in results:
                results[mode][0].append(_run_child(mode, folder))
                results[mode][1].append(_run_child(f"{mode}-baseline", folder))
    report = {"takes": args.takes, "seconds_each": args.seconds, "size": "x".join(map(str, SIZE)),
              "cpus": os.cpu_count(), "runs": max(1, args.runs),
              "frames": results["encode"][0][0]["frames"],
              "output_s": round(results["encode"][0][0]["seconds"], 3),
              **{mode: _mode(*pair) for mode, pair in results.items()}}
    report["within_budget"] = all(report[m]["within_budget"] for m in results)
    if args.json:
        print(json.dumps(report))
    else:
        print(f"sequence MP4 export: {args.takes} takes x {args.seconds:g} s, "
              f"{report['size']} at {FPS} fps ({report['frames']} frames, "
              f"{report['output_s']} s out), {report['cpus']} CPUs, {report['runs']} run(s)")
        for mode, label in (("copy", "stream copy"), ("encode", "re-encode")):
            m = report[mode]
            print(f"  {label:11}: export {m['wall_s']:.2f} s, {m['rss_mb']:.0f} MB | baseline "
                  f"{m['baseline_wall_s']:.2f} s, {m['baseline_rss_mb']:.0f} MB | "
                  f"x{m['wall_ratio']} time, x{m['rss_ratio']} memory -> "
                  f"{'OK' if m['within_budget'] else 'OVER'} (budget x{BUDGET_RATIO})")
    return 0 if report["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
