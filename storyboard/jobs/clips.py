"""Turning a downloaded (downloads.py) or locally rendered file into a stored clip: checked as an
MP4 of the planned length, then moved into place atomically with its poster frame."""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from storyboard.jobs.models import Clip, Job
from storyboard.library.images import MediaRefused
from storyboard.library.videos import poster_jpeg, probe_video
from storyboard.rules import Storyboard as Value
from storyboard.storage import keep_file, scratch_path


class DownloadFailed(Exception):
    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


def _tolerance(fps: float) -> float:
    # "Within a frame or two" of the plan, and never stricter than a tenth of a second.
    return max(2.0 / (fps or 24.0), 0.1)


def _decodes_at_the_end(path: Path, seconds: float) -> bool:
    """A file cut short can still carry a complete header: decode a frame near its end."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            target = max(0.0, seconds - 0.5)
            container.seek(int(target / stream.time_base), stream=stream, backward=True)
            for frame in container.decode(stream):
                if frame.time is not None and frame.time >= target - 1.0:
                    return True
    except (av.FFmpegError, ValueError, OSError, IndexError):
        return False
    return False


def _checked(path: Path, planned: int):
    try:
        info = probe_video(str(path))
    except MediaRefused as error:
        raise DownloadFailed(f"not a playable MP4 ({error})") from None
    if planned and abs(info.seconds - planned) > _tolerance(info.fps):
        raise DownloadFailed(f"the clip lasts {info.seconds:.2f} s instead of the planned "
                             f"{planned} s")
    if not _decodes_at_the_end(path, info.seconds):
        raise DownloadFailed("the file is cut short: its last frames cannot be decoded")
    return info


def _keep(job: Job, path: Path, info, *, watermarked: bool, source_url: str) -> Clip:
    """Moves a checked file into its final place and records the clip (once per job)."""
    poster = poster_jpeg(str(path))
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    byte_size = path.stat().st_size
    name = keep_file(path, f"clips/{job.team_id}/{job.id}.mp4")
    poster_name = default_storage.save(f"clips/{job.team_id}/{job.id}.jpg", ContentFile(poster))
    try:
        with transaction.atomic():
            clip, _ = Clip.objects.get_or_create(job=job, defaults=dict(
                team_id=job.team_id, file=name, poster=poster_name, width=info.width,
                height=info.height, seconds=info.seconds, fps=info.fps,
                byte_size=byte_size, sha256=digest.hexdigest(),
                watermarked=watermarked, source_url=source_url[:2000]))
    except IntegrityError:
        clip = Clip.objects.get(job=job)
    return clip


def store_local_render(job: Job, pictures: dict[str, Path]) -> Clip:
    from storyboard.providers.animatic import render_animatic

    existing = Clip.objects.filter(job=job).first()
    if existing:
        return existing
    incoming = scratch_path(f"clips/{job.team_id}/{job.id}.mp4")
    render_animatic(Value.from_dict(job.snapshot), incoming, images=pictures)
    info = _checked(incoming, job.planned_seconds)
    return _keep(job, incoming, info, watermarked=False, source_url="")
