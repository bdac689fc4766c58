"""Probing, trimming and poster frames of uploaded videos with PyAV (docs/rules.md §14), and the
voice
clip of a video element. Works on local file paths; no database, no storage."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av

from storyboard.library import limits
from storyboard.library.images import MediaRefused

# ISO base media files (MP4, MOV) start with a box whose type is one of these.
_ISO_BOXES = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


def looks_like_iso_media(head: bytes) -> bool:
    return head[4:8] in _ISO_BOXES


@dataclass(frozen=True)
class VideoInfo:
    container: str  # "MP4" or "MOV"
    codec: str  # e.g. "h264"
    seconds: float
    width: int
    height: int
    fps: float
    has_audio: bool

    def describe(self) -> str:
        return (f"{self.container} {self.codec}, {self.width} × {self.height} px, "
                f"{self.seconds:.1f} s, {self.fps:g} fps")


def _container_name(path: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(12)
    if not looks_like_iso_media(head):
        return ""
    # QuickTime files say so in their major brand; everything else ISO-based is called MP4.
    return "MOV" if head[4:8] == b"ftyp" and head[8:12] == b"qt  " else "MP4"


def probe_video(path: str) -> VideoInfo:
    """Container, codec, duration, size and frame rate, or MediaRefused if it is not a video
    in an MP4/MOV container that FFmpeg can read."""
    container_name = _container_name(path)
    if not container_name:
        raise MediaRefused("the file is not an MP4 or MOV video: MP4 or MOV only")
    try:
        with av.open(path, "r") as container:
            if not container.streams.video:
                raise MediaRefused("the file has no video stream: MP4 or MOV video only")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            if stream.duration is not None and stream.time_base:
                seconds = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                seconds = container.duration / av.time_base
            else:
                seconds = 0.0
            return VideoInfo(
                container=container_name,
                codec=stream.codec_context.name,
                seconds=round(seconds, 3),
                width=stream.codec_context.width,
                height=stream.codec_context.height,
                fps=round(float(rate), 3) if rate else 0.0,
                has_audio=bool(container.streams.audio),
            )
    except MediaRefused:
        raise
    except (av.FFmpegError, ValueError, OSError):
        raise MediaRefused(
            "the video is truncated or damaged: it could not be read as MP4 or MOV"
        ) from None


def video_problems(info: VideoInfo, *, max_seconds: float | None) -> list[str]:
    problems = []
    if info.seconds + limits.SECONDS_SLACK < limits.VIDEO_MIN_SECONDS:
        problems.append(f"{info.seconds:.1f} s long: at least {limits.VIDEO_MIN_SECONDS:g} s")
    if max_seconds is not None and info.seconds - limits.SECONDS_SLACK > max_seconds:
        problems.append(f"{info.seconds:.1f} s long: at most {max_seconds:g} s")
    sides = (info.width, info.height)
    if min(sides) < limits.VIDEO_MIN_SIDE or max(sides) > limits.VIDEO_MAX_SIDE:
        problems.append(
            f"{info.width} × {info.height} px: both sides must be "
            f"{limits.VIDEO_MIN_SIDE}–{limits.VIDEO_MAX_SIDE} px"
        )
    if not (limits.VIDEO_MIN_FPS - limits.FPS_SLACK <= info.fps
            <= limits.VIDEO_MAX_FPS + limits.FPS_SLACK):
        problems.append(
            f"{info.fps:g} fps: the frame rate must be "
            f"{limits.VIDEO_MIN_FPS:g}–{limits.VIDEO_MAX_FPS:g} fps"
        )
    return problems


def check_video(path: str, *, max_seconds: float | None) -> VideoInfo:
    info = probe_video(path)
    problems = video_problems(info, max_seconds=max_seconds)
    if problems:
        raise MediaRefused(f"{info.container} video is " + "; ".join(problems))
    return info


def poster_jpeg(path: str, box: int = 768) -> bytes:
    """The first decodable frame as a JPEG at most `box` px on its long side."""
    try:
        with av.open(path, "r") as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for frame in container.decode(stream):
                image = frame.to_image()
                image.thumbnail((box, box))
                out = io.BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=85)
                return out.getvalue()
    except (av.FFmpegError, ValueError, OSError):
        pass
    raise MediaRefused("the video has no frame that can be decoded")


def trim_video(src: str, dst: str, seconds: float) -> None:
    """Copy the first `seconds` of `src` into `dst` without re-encoding (packets are remuxed,
    like `ffmpeg -c copy -t`): every stream keeps the packets presented before the cut."""
    with av.open(src, "r") as source:
        fmt = "mov" if _container_name(src) == "MOV" else "mp4"
        with av.open(dst, "w", format=fmt) as target:
            streams = [s for s in source.streams if s.type in ("video", "audio")]
            mapping = {s.index: target.add_stream_from_template(s) for s in streams}
            for packet in source.demux(streams):
                if packet.dts is None:  # the demuxer's end-of-stream marker
                    continue
                at = packet.pts if packet.pts is not None else packet.dts
                if at * packet.time_base >= seconds:
                    continue
                packet.stream = mapping[packet.stream.index]
                target.mux(packet)


# Voice clips (to clone a voice from): any audio FFmpeg reads in these containers.
_VOICE_FORMATS = ("wav", "mp3", "mov,mp4,m4a,3gp,3g2,mj2", "ogg", "flac")


def check_voice_clip(path: str) -> float:
    """Seconds of audio in a voice clip to clone from, or MediaRefused (5–60 s of audio)."""
    try:
        with av.open(path, "r") as container:
            if container.format.name not in _VOICE_FORMATS or not container.streams.audio:
                raise MediaRefused(
                    "the voice clip has no audio: WAV, MP3, M4A, MP4 or MOV with sound only"
                )
            stream = container.streams.audio[0]
            if stream.duration is not None and stream.time_base:
                seconds = float(stream.duration * stream.time_base)
            else:
                seconds = (container.duration or 0) / av.time_base
    except MediaRefused:
        raise
    except (av.FFmpegError, ValueError, OSError):
        raise MediaRefused(
            "the voice clip could not be read: WAV, MP3, M4A, MP4 or MOV with sound only"
        ) from None
    if not (limits.VOICE_MIN_SECONDS - limits.SECONDS_SLACK <= seconds
            <= limits.VOICE_MAX_SECONDS + limits.SECONDS_SLACK):
        raise MediaRefused(
            f"the voice clip is {seconds:.1f} s long: "
            f"{limits.VOICE_MIN_SECONDS:g}–{limits.VOICE_MAX_SECONDS:g} s"
        )
    return round(seconds, 3)
