"""The local animatic: a free MP4 preview of a storyboard, rendered with Pillow and PyAV.

Each shot shows the first image or element its prompt mentions, panning slowly (a title card
when the shot mentions none, or its file is missing or unreadable), under a caption with the
shot number and prompt. Cuts are hard and fall exactly on the planned seconds; the file is
H.264 yuv420p at 24 fps in an MP4 with the index up front (faststart), at a 720p-class size in
the storyboard's aspect ratio.

Speed (docs/benchmarks.md: 6 shots, 15 s, 720p in <= 3 s on 2 cores) comes from doing per-shot work
once -- decoding each reference at roughly frame size, on a small thread pool, while the first
shots already encode; drawing captions and cards; converting pictures to Y'CbCr -- so that a
frame costs three plane crops and a masked paste (see animatic_frames.py). Frames are made on
a second thread while x264 encodes on its own threads.
No Django import: the worker, the sandbox and the command line all call this directly.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
from collections.abc import Generator, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TypeAlias, cast

import av
from av.video.frame import PictureType

from storyboard.rules import Storyboard, Target, build_body
from storyboard.rules.model import parse_whole_seconds

from .animatic_frames import Overlay, Source, frames_for, load_source
from .animatic_text import caption_overlay, title_card, watermark_overlay

FPS = 24
SIZES = {"16:9": (1280, 720), "9:16": (720, 1280), "1:1": (720, 720)}
# A keyframe at every cut and at least every 2 s keeps scrubbing in the review player snappy.
KEYFRAME_SECONDS = 2
# Far above any target's 15 s: only a guard against a runaway render from a bad caller.
MAX_TOTAL_SECONDS = 120
MAX_SIDE = 4096
# The PyAV wheel ships libx264; the others are fallbacks for FFmpeg builds without it
# (openh264 is BSD-licensed; "h264" picks whatever H.264 encoder the build has).
ENCODERS = ("libx264", "libopenh264", "h264")
# ultrafast: x264 is most of the budget, and a local preview's file size matters little.
# stillimage: an animatic is mostly static pictures.
X264_OPTIONS = {"preset": "ultrafast", "tune": "stillimage", "crf": "23"}
QUEUE_FRAMES = 8  # frames made ahead of the encoder: bounds memory (1.4 MB each at 720p)
DECODE_THREADS = 2  # JPEG decoding releases the GIL


@dataclass(frozen=True)
class AnimaticResult:
    path: Path
    duration: float  # seconds, probed from the written file
    width: int
    height: int
    fps: int
    frames: int


class AnimaticError(RuntimeError):
    """Encoding failed for a reason other than the storyboard (disk full, broken encoder)."""


@dataclass(frozen=True)
class ShotPlan:
    number: int  # 1-based
    start: int  # seconds
    duration: int  # seconds
    prompt: str
    visual: str | None  # slot of the first image/element the prompt mentions


def animatic_size(aspect_ratio: str) -> tuple[int, int]:
    """The frame size for an aspect ratio; anything unknown gets the 16:9 size."""
    return SIZES.get(str(aspect_ratio).strip(), SIZES["16:9"])


def plan_shots(storyboard: Storyboard) -> list[ShotPlan]:
    """The render plan (rules' ``animatic`` body) as values, after checking what the renderer
    relies on; every problem is a ValueError that names the field."""
    if not isinstance(storyboard, Storyboard):
        raise ValueError(f"expected a Storyboard, got {type(storyboard).__name__}")
    shots = storyboard.effective_shots()
    if not shots:
        raise ValueError("shots: a multi-shot storyboard needs at least one shot")
    total = 0
    for _, duration_field, shot in shots:
        secs = parse_whole_seconds(shot.duration)
        if secs is None:
            raise ValueError(
                f"{duration_field}: {shot.duration!r} is not a whole number of seconds"
            )
        if secs < 1:
            raise ValueError(f"{duration_field}: {secs} s is too short; a shot lasts at least 1 s")
        total += secs
    if total > MAX_TOTAL_SECONDS:
        raise ValueError(f"shots: {total} s is longer than the animatic's {MAX_TOTAL_SECONDS} s")
    # The rules own "which slot does a shot show"; the model in the target does not matter here.
    plan = build_body(storyboard, Target("animatic", "v3"))
    return [
        ShotPlan(s["index"], s["start"], s["duration"], s["prompt"], s["visual"])
        for s in plan["shots"]
    ]


def _open_encoder(
    container: av.container.OutputContainer, size: tuple[int, int]
) -> av.video.stream.VideoStream:
    last_error: Exception | None = None
    for name in ENCODERS:
        try:
            # A video codec's name gives a video stream (PyAV's types know it only for literals).
            stream = cast(av.video.stream.VideoStream, container.add_stream(name, rate=FPS))
        except (av.error.FFmpegError, ValueError) as exc:  # not in this FFmpeg build
            last_error = exc
            continue
        cc = stream.codec_context
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, FPS)
        cc.time_base = Fraction(1, FPS)
        cc.gop_size = KEYFRAME_SECONDS * FPS
        cc.colorspace = cc.color_primaries = cc.color_trc = 1  # BT.709, as converted
        cc.color_range = 1  # limited ("MPEG") range, what players expect
        if name == "libx264":
            cc.options = dict(X264_OPTIONS, threads=str(max(1, os.cpu_count() or 1)))
        return stream
    raise AnimaticError(f"no H.264 encoder in this FFmpeg build ({last_error})")


def _validate_size(size: tuple[int, int]) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"size: {size!r} is not a (width, height) pair") from None
    if not (16 <= width <= MAX_SIDE and 16 <= height <= MAX_SIDE):
        raise ValueError(f"size: {width}x{height} is outside 16-{MAX_SIDE} px")
    if width % 2 or height % 2:
        raise ValueError(f"size: {width}x{height} must be even (yuv420p halves the colour planes)")
    return width, height


# What the drawing thread hands the encoder: a frame, the exception that stopped it, or None at
# the end.
_Handed: TypeAlias = "av.VideoFrame | BaseException | None"


def _produce(
    frames: Generator[av.VideoFrame, None, None], out: queue.Queue[_Handed],
    stop: threading.Event,
) -> None:
    """Fill ``out`` from ``frames``; ends with None, or with the exception that stopped it.
    Gives up as soon as ``stop`` is set (the encoder failed), so it never blocks on a full
    queue nobody reads."""

    def put(item: _Handed) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    try:
        for frame in frames:
            if not put(frame):
                return
        put(None)
    except BaseException as exc:  # handed to the encoding thread, which re-raises it
        put(exc)
    finally:
        frames.close()  # stops the decode pool early when the encoder gave up


def _threaded(frames: Generator[av.VideoFrame, None, None]) -> Iterator[av.VideoFrame]:
    """``frames`` made on a worker thread: Pillow and swscale release the GIL, so drawing
    the next frames overlaps with x264 encoding the current ones."""
    q: queue.Queue[_Handed] = queue.Queue(maxsize=QUEUE_FRAMES)
    stop = threading.Event()
    worker = threading.Thread(target=_produce, args=(frames, q, stop), daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def probe(path: Path) -> AnimaticResult:
    """Duration, size, frame rate and frame count as read back from an MP4 file."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        else:
            duration = (container.duration or 0) / av.time_base
        rate = stream.average_rate or stream.base_rate or FPS
        return AnimaticResult(
            path=Path(path),
            duration=duration,
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            fps=round(float(rate)),
            frames=stream.frames,
        )


def render_animatic(
    storyboard: Storyboard,
    out_path: Path,
    *,
    images: Mapping[str, Path] | None = None,
    size: tuple[int, int] | None = None,
    watermark: str | None = None,
) -> AnimaticResult:
    """Render ``storyboard`` as an MP4 animatic at ``out_path`` and return what was written.

    ``images`` maps a slot (``image_N``; ``element_N`` -> the element's frontal image) to a
    local file. ``size`` overrides the aspect ratio's size. ``watermark`` is drawn in the top
    right corner of every frame. The file appears at ``out_path`` only once complete.
    Raises ValueError for a storyboard or size the renderer cannot use, AnimaticError when
    encoding fails.
    """
    shots = plan_shots(storyboard)
    size = _validate_size(size or animatic_size(storyboard.settings.aspect_ratio))
    images = dict(images or {})
    out_path = Path(out_path)
    cut_frames = {shot.start * FPS for shot in shots}
    planned_frames = (shots[-1].start + shots[-1].duration) * FPS

    fd, tmp_name = tempfile.mkstemp(
        dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".part"
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            with av.open(tmp_name, "w", format="mp4", options={"movflags": "+faststart"}) as out:
                stream = _open_encoder(out, size)
                frames = _shot_frames(storyboard, shots, images, size, watermark)
                for n, frame in enumerate(_threaded(frames)):
                    frame.pts = n
                    frame.time_base = stream.codec_context.time_base
                    # Every cut starts on a keyframe. A still shot re-sends one frame object,
                    # so the type is set on every frame, not only on cuts.
                    frame.pict_type = PictureType.I if n in cut_frames else PictureType.NONE
                    out.mux(stream.encode(frame))
                out.mux(stream.encode(None))
        except av.error.FFmpegError as exc:
            raise AnimaticError(f"encoding the animatic failed: {exc}") from exc
        written = probe(tmp)
        if written.frames != planned_frames:  # the promise callers rely on: exact length
            raise AnimaticError(f"wrote {written.frames} frames, planned {planned_frames}")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the web server serves it
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return AnimaticResult(out_path, written.duration, *size, fps=FPS, frames=written.frames)


def _shot_frames(
    storyboard: Storyboard,
    shots: list[ShotPlan],
    images: Mapping[str, Path],
    size: tuple[int, int],
    watermark: str | None,
) -> Generator[av.VideoFrame, None, None]:
    """Every frame of the animatic, shot after shot. Pictures are decoded ahead on a pool."""
    mark = watermark_overlay(size, watermark) if watermark else None
    marks = [Overlay.from_rgba(*mark)] if mark else []
    title = storyboard.settings.title
    with ThreadPoolExecutor(DECODE_THREADS, thread_name_prefix="animatic-decode") as pool:
        # One job per file: a reference shown in several shots is decoded once.
        loading: dict[str, Future[Source | None]] = {}
        for shot in shots:
            path = images.get(shot.visual) if shot.visual else None
            if path is not None and str(path) not in loading:
                loading[str(path)] = pool.submit(load_source, path, size)
        last_use = {str(images.get(s.visual)): n for n, s in enumerate(shots) if s.visual}
        try:
            for n, shot in enumerate(shots):
                path = images.get(shot.visual) if shot.visual else None
                source = loading[str(path)].result() if path is not None else None
                if path is not None and last_use.get(str(path)) == n:
                    del loading[str(path)]  # not shown again: let its planes go after this shot
                still = source is None
                if source is None:
                    source = Source.from_rgb(title_card(size, title, shot.number, len(shots)))
                band = Overlay.from_rgba(
                    *caption_overlay(size, shot.number, len(shots), shot.duration, shot.prompt)
                )
                count = shot.duration * FPS
                yield from frames_for(source, size, count, shot.number, [band, *marks], still=still)
        finally:
            for job in loading.values():
                job.cancel()
