"""The media and elements behind a job's frozen slots, for the worker."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings

from storyboard.boards.convert import element_source, image_media, media_for
from storyboard.library.models import ElementVersion, ReferenceImage, ReferenceVideo
from storyboard.providers.base import Media
from storyboard.providers.prepare import media_type_for
from storyboard.storage import local_path


def media_base(account) -> str | None:
    """Where vendors fetch our media: the public URL, or for the local sandbox this machine."""
    if settings.STORYBOARD_PUBLIC_BASE_URL:
        return settings.STORYBOARD_PUBLIC_BASE_URL
    if account is not None and account.sandbox and settings.STORYBOARD_LOCAL_URL:
        return settings.STORYBOARD_LOCAL_URL
    return None


class JobSources:
    def __init__(self, job, base: str | None = None):
        sources = job.slot_sources or {}
        self.base = base
        self.images = ReferenceImage.objects.in_bulk(
            [s["image"] for s in sources.values() if "image" in s])
        self.videos = ReferenceVideo.objects.in_bulk(
            [s["video"] for s in sources.values() if "video" in s])
        self.versions = ElementVersion.objects.prefetch_related("images__image").in_bulk(
            [s["element_version"] for s in sources.values() if "element_version" in s])
        self.sources = sources

    def media(self, slot: str):
        source = self.sources.get(slot, {})
        if "path" in source:  # a local file named in a batch file
            return _file_media(Path(source["path"]))
        if "image" in source and source["image"] in self.images:
            return image_media(self.images[source["image"]], self.base)
        if "video" in source and source["video"] in self.videos:
            video = self.videos[source["video"]]
            return media_for(video.file, video.content_type, video.sha256, self.base)
        return None

    def element(self, slot: str):
        source = self.sources.get(slot, {})
        version = self.versions.get(source.get("element_version"))
        return element_source(version, self.base) if version else None

    def picture_paths(self) -> dict[str, Path]:
        """slot -> a local picture for the animatic (an element's frontal image)."""
        paths = {}
        for slot in self.sources:
            media = self.media(slot)
            if media is not None and media.content_type.startswith("image/"):
                paths[slot] = media.path
            element = self.element(slot)
            if element is not None and element.spec.frontal is not None:
                paths[slot] = element.spec.frontal.path
        return paths


def storage_path(name: str) -> Path:
    """A local file with the stored file's content (see storyboard.storage)."""
    return local_path(name)


def _file_media(path: Path) -> Media:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return Media(path, media_type_for(path.suffix), digest.hexdigest())
