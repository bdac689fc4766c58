"""A storyboard row (with its shots and slots) as the rules' plain value, and the media behind
its slots as the providers need them."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings

from storyboard.boards.models import Storyboard
from storyboard.boards.state import board_value
from storyboard.library.models import ElementVersion, ReferenceImage, ReferenceVideo
from storyboard.providers.base import ElementSpec, Media
from storyboard.providers.prepare import ElementSource, media_type_for
from storyboard.rules import Storyboard as Value
from storyboard.storage import local_path


def with_related(queryset):
    """The queryset with everything `to_value` reads, in a fixed number of queries."""
    return queryset.select_related("account").prefetch_related(
        "shots",
        "slots__image",
        "slots__video",
        "slots__element_version__element",
        "slots__element_version__images__image",
    )


def to_value(board: Storyboard) -> Value:
    """The rules value of a stored board (loaded with `with_related`): the editor's builder,
    so the live check, the submit check and the export cannot drift apart."""
    return board_value(board)


def public_url(storage_name: str, base: str | None = None) -> str | None:
    """Where a vendor can fetch this file, when the install has a public address (`base`
    overrides it, e.g. this machine's own address for the local sandbox)."""
    base = base or settings.STORYBOARD_PUBLIC_BASE_URL
    if not base:
        return None
    from storyboard.boards.public_media import signed_path

    return base + signed_path(storage_name)


def media_for(storage_name: str, content_type: str, sha256: str,
              base: str | None = None) -> Media:
    return Media(local_path(storage_name), content_type, sha256,
                 public_url(storage_name, base))


def image_media(image, base: str | None = None) -> Media:
    return media_for(image.file, image.content_type, image.sha256, base)


def element_source(version, base: str | None = None) -> ElementSource:
    """What a provider needs to create this element version remotely."""
    pictures = [image_media(link.image, base) for link in version.ordered_images()]
    clip = (media_for(version.clip, "video/mp4", f"clip:{version.pk}", base)
            if version.clip else None)
    voice = (media_for(version.voice_clip, version.voice_clip_type or "video/mp4",
                       f"voice:{version.pk}", base) if version.voice_clip else None)
    return ElementSource(
        key=f"ev:{version.pk}",
        spec=ElementSpec(version.name, version.description, version.tag,
                         frontal=pictures[0] if pictures else None,
                         extra=tuple(pictures[1:]), video=clip,
                         voice_id=version.voice_id or None, voice_clip=voice),
    )


def slot_sources(board: Storyboard) -> dict[str, dict[str, int]]:
    """Which library item fills each slot, by id: frozen into a job's snapshot. A slot holding
    a provider's element id has none: the snapshot's reference is that id, sent as is."""
    sources = {}
    for slot in board.slots.all():
        if slot.image_id:
            sources[slot.name] = {"image": slot.image_id}
        elif slot.video_id:
            sources[slot.name] = {"video": slot.video_id}
        elif slot.element_version_id:
            sources[slot.name] = {"element_version": slot.element_version_id}
    return sources


class SlotSources:
    """The media and element versions behind slots frozen as library ids (`slot_sources`, a
    job's snapshot), read in three queries. A `{"path": …}` source is a local file named in a
    batch file."""

    def __init__(self, sources: dict[str, dict], base: str | None = None):
        self.sources, self.base = sources or {}, base
        ids = lambda kind: [s[kind] for s in self.sources.values() if kind in s]  # noqa: E731
        self.images = ReferenceImage.objects.in_bulk(ids("image"))
        self.videos = ReferenceVideo.objects.in_bulk(ids("video"))
        self.versions = ElementVersion.objects.prefetch_related("images__image").in_bulk(
            ids("element_version"))

    def media(self, slot: str) -> Media | None:
        source = self.sources.get(slot, {})
        if "path" in source:
            return file_media(Path(source["path"]))
        if source.get("image") in self.images:
            return image_media(self.images[source["image"]], self.base)
        if source.get("video") in self.videos:
            video = self.videos[source["video"]]
            return media_for(video.file, video.content_type, video.sha256, self.base)
        return None

    def element(self, slot: str) -> ElementSource | None:
        version = self.versions.get(self.sources.get(slot, {}).get("element_version"))
        return element_source(version, self.base) if version else None

    def all_media(self) -> dict[str, Media]:
        return {slot: m for slot in self.sources if (m := self.media(slot)) is not None}

    def all_elements(self) -> dict[str, ElementSource]:
        return {slot: e for slot in self.sources if (e := self.element(slot)) is not None}

    def picture_paths(self) -> dict[str, Path]:
        """slot -> a local picture for the animatic (an element's frontal image)."""
        paths = {slot: m.path for slot, m in self.all_media().items()
                 if m.content_type.startswith("image/")}
        for slot, element in self.all_elements().items():
            if element.spec.frontal is not None:
                paths[slot] = element.spec.frontal.path
        return paths


def slot_media(board: Storyboard, base: str | None = None) -> dict[str, Media]:
    """slot name -> Media for the image and video slots of a storyboard as it stands."""
    return SlotSources(slot_sources(board), base).all_media()


def slot_elements(board: Storyboard, base: str | None = None) -> dict[str, ElementSource]:
    """slot name -> ElementSource for the element slots of a storyboard as it stands."""
    return SlotSources(slot_sources(board), base).all_elements()


def file_media(path: Path) -> Media:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return Media(path, media_type_for(path.suffix), digest.hexdigest())
