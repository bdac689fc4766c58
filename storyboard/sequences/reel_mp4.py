"""A Cut as one H.264 MP4: the takes end to end at one frame size and one frame rate.

Streaming, frame by frame: one take is open at a time and only the decoder's and x264's own
look-ahead is held, so memory does not grow with the sequence's length.

- Size: each picture is scaled to fit inside the cut's size, keeping its shape, and centred on
  black (FFmpeg's scale and pad filters); a picture that already matches is passed untouched.
- Frame rate: output frame j of a take shows the source frame on screen at j / fps (the
  nearest earlier one), so a 30 fps take in a 24 fps cut drops frames evenly and a 24 fps take
  in a 30 fps cut repeats them. Each take gets exactly ``Cut.output_frames()`` frames: the MP4
  is the sum of the takes' real lengths to within one frame per cut.
- Audio is dropped. Takes differ in whether they have sound at all, and this file is for
  watching the cut; the timeline files and the ZIP keep each take's own file, sound included.
- Stream copy: when every take is already H.264 at the cut's size and rate with identical
  codec parameters (e.g. all from one vendor model), its packets are copied without decoding,
  in a fraction of the time. Otherwise everything is re-encoded (mixing copied and encoded
  pieces would need identical parameters anyway).

No Django import: the worker, the command line and the benchmark call this directly.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from .cut import Cut, CutItem, fps_from

ENCODERS = ("libx264", "libopenh264", "h264")  # as the animatic: the wheel ships libx264
# ultrafast: the export's time is x264's; crf 20 keeps takes close to their source.
X264_OPTIONS = {"preset": "ultrafast", "crf": "20"}
KEYFRAME_SECONDS = 2
Progress = Callable[[int, int], None]  # (frames done, frames in all)


class ReelError(RuntimeError):
    """A take could not be read, or encoding failed (disk full, broken encoder)."""


@dataclass(frozen=True)
class TakeInfo:
    frames: int
    fps: Fraction
    width: int
    height: int
    codec: str
    pix_fmt: str | None
    extradata: bytes | None  # H.264's SPS/PPS: equal bytes mean packets can be spliced


@dataclass(frozen=True)
class ReelResult:
    path: Path
    frames: int
    seconds: float
    width: int
    height: int
    fps: Fraction
    copied: bool  # True when the stream-copy path was taken


def probe_take(path: Path) -> TakeInfo:
    """A take's real length in frames and its frame rate, size and codec, from the file.
    Counts packets when the container does not say how many frames it holds. Building a cut
    and rendering it both ask, so the answer is kept per file version (path, size, mtime)."""
    stat = os.stat(path)
    return _probe(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _probe(path: str, size: int, mtime_ns: int) -> TakeInfo:
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ReelError(f"{Path(path).name}: no video stream")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            if not rate:
                raise ReelError(f"{Path(path).name}: no frame rate")
            frames = stream.frames
            if not frames:
                frames = sum(1 for p in container.demux(stream) if p.size)
            cc = stream.codec_context
            return TakeInfo(frames, fps_from(rate), cc.width, cc.height, cc.name,
                            cc.format.name if cc.format else None,
                            bytes(cc.extradata) if cc.extradata else None)
    except av.error.FFmpegError as exc:
        raise ReelError(f"{Path(path).name}: cannot read the video ({exc})") from exc


def can_stream_copy(cut: Cut, infos: list[TakeInfo]) -> bool:
    first = infos[0] if infos else None
    return bool(first) and all(
        info.codec == "h264" and info.pix_fmt == "yuv420p"
        and (info.width, info.height) == (cut.width, cut.height)
        and info.fps == cut.fps and info.extradata == first.extradata
        and info.extradata is not None
        for info in infos
    ) and cut.output_frames() == [item.duration_frames for item in cut.items]


def render_reel(cut: Cut, out_path: Path, *, progress: Progress | None = None,
                allow_copy: bool = True) -> ReelResult:
    """Write ``cut`` as an MP4 at ``out_path`` (which appears only once complete)."""
    if not cut.items:
        raise ValueError("items: the sequence has no takes to export")
    if cut.width % 2 or cut.height % 2 or cut.width < 16 or cut.height < 16:
        raise ValueError(f"size: {cut.width}x{cut.height} must be even and at least 16 px")
    out_path = Path(out_path)
    infos = [probe_take(item.path) for item in cut.items]
    copy = allow_copy and can_stream_copy(cut, infos)
    planned = cut.output_frames()
    fd, tmp_name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.",
                                    suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            with av.open(tmp_name, "w", format="mp4", options={"movflags": "+faststart"}) as out:
                if copy:
                    frames = _copy(cut, out, progress)
                else:
                    _encode(cut, planned, out, progress)
        except av.error.FFmpegError as exc:
            raise ReelError(f"writing the MP4 failed: {exc}") from exc
        # The promise is an exact length. A copy counted every packet it wrote (one frame
        # each); an encode is read back, its cost is nothing beside the encoding.
        if not copy:
            frames = probe_take(tmp).frames
        if frames != sum(planned):
            raise ReelError(f"wrote {frames} frames, planned {sum(planned)}")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the web server serves it
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ReelResult(out_path, frames, float(frames / cut.fps), cut.width, cut.height,
                      cut.fps, copy)


def open_encoder(out: av.container.OutputContainer, width: int, height: int,
                 fps: Fraction) -> av.video.stream.VideoStream:
    last_error: Exception | None = None
    for name in ENCODERS:
        try:
            stream = out.add_stream(name, rate=fps)
        except (av.error.FFmpegError, ValueError) as exc:  # not in this FFmpeg build
            last_error = exc
            continue
        cc = stream.codec_context
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = cc.time_base = 1 / fps
        cc.gop_size = max(1, round(KEYFRAME_SECONDS * fps))
        if name == "libx264":
            cc.options = dict(X264_OPTIONS, threads=str(max(1, os.cpu_count() or 1)))
        return stream
    raise ReelError(f"no H.264 encoder in this FFmpeg build ({last_error})")


def _encode(cut: Cut, planned: list[int], out, progress: Progress | None) -> None:
    stream = open_encoder(out, cut.width, cut.height, cut.fps)
    total, n = sum(planned), 0
    for item, count in zip(cut.items, planned, strict=True):
        for frame in _resampled(item, count, cut):
            frame.pts = n
            frame.time_base = stream.codec_context.time_base
            out.mux(stream.encode(frame))
            n += 1
            if progress and (n % 24 == 0 or n == total):
                progress(n, total)
    out.mux(stream.encode(None))


def _resampled(item: CutItem, count: int, cut: Cut) -> Iterator[av.VideoFrame]:
    """Exactly ``count`` frames of ``item`` at the cut's rate and size."""
    with av.open(str(item.path)) as container:
        source = container.streams.video[0]
        source.thread_type = "AUTO"
        src_fps = item.fps
        fit = None
        emitted, shown, k = 0, None, -1
        for frame in container.decode(source):
            k += 1
            if _matches(frame, cut):
                shown = frame
            else:
                fit = fit or _Fit(frame, cut)
                shown = fit.apply(frame)
            # Output frames whose time falls in this source frame's interval [k, k+1)/src.
            while emitted < count and emitted * src_fps < (k + 1) * cut.fps:
                yield shown
                emitted += 1
            if emitted >= count:
                return
        if shown is None:
            raise ReelError(f"{item.name}: the take has no pictures")
        while emitted < count:  # a take that decodes short of its header's count: hold
            yield shown
            emitted += 1


def _matches(frame: av.VideoFrame, cut: Cut) -> bool:
    return (frame.width, frame.height) == (cut.width, cut.height) and frame.format.name == "yuv420p"


class _Fit:
    """Scale into the cut's size keeping the shape, centred on black, as yuv420p."""

    def __init__(self, first: av.VideoFrame, cut: Cut) -> None:
        self.key = (first.width, first.height, first.format.name)
        self.cut = cut
        self._build(first)

    def _build(self, frame: av.VideoFrame) -> None:
        w, h = self.cut.width, self.cut.height
        graph = av.filter.Graph()
        src = graph.add_buffer(width=frame.width, height=frame.height, format=frame.format,
                               time_base=Fraction(1, 1000))
        chain = [
            graph.add("scale", f"{w}:{h}:force_original_aspect_ratio=decrease"
                               ":force_divisible_by=2"),
            graph.add("pad", f"{w}:{h}:(ow-iw)/2:(oh-ih)/2:black"),
            graph.add("setsar", "1"),
            graph.add("format", "yuv420p"),
            graph.add("buffersink"),
        ]
        src.link_to(chain[0])
        for a, b in zip(chain, chain[1:], strict=False):
            a.link_to(b)
        graph.configure()
        self.graph = graph

    def apply(self, frame: av.VideoFrame) -> av.VideoFrame:
        key = (frame.width, frame.height, frame.format.name)
        if key != self.key:  # a take that changes size midway (rare): rebuild the graph
            self.key = key
            self._build(frame)
        self.graph.push(frame)
        return self.graph.pull()


def _copy(cut: Cut, out, progress: Progress | None) -> int:
    """Splice the takes' packets, each take's timestamps moved to start where the last ended;
    the number of video packets (frames) written."""
    stream = None
    total = sum(item.duration_frames for item in cut.items)
    offset = Fraction(0)  # seconds
    done = written = 0
    for item in cut.items:
        with av.open(str(item.path)) as container:
            source = container.streams.video[0]
            if stream is None:
                stream = out.add_stream_from_template(source)
            base = source.start_time or 0
            shift = round(offset / source.time_base) - base
            for packet in container.demux(source):
                if packet.dts is None:  # the demuxer's end-of-stream flush packet
                    continue
                packet.pts = packet.pts + shift if packet.pts is not None else None
                packet.dts = packet.dts + shift
                packet.stream = stream
                out.mux(packet)
                written += 1
        offset += item.seconds
        done += item.duration_frames
        if progress:
            progress(done, total)
    return written
