"""What a clip's details page shows of its frozen snapshot: each reference slot with the library
item that filled it (and a thumbnail while that item still exists), and the element versions."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from storyboard.library.access import visible_images
from storyboard.library.models import ElementVersion, ReferenceVideo
from storyboard.rules.model import slot_kind
from storyboard.teams.scoping import for_team


@dataclass(frozen=True)
class Reference:
    slot: str
    kind: str  # image, video, element
    role: str
    name: str
    thumb: str | None


def _sort_key(slot: str):
    kind, _, number = slot.rpartition("_")
    return kind, int(number) if number.isdigit() else 0


def references(job, team) -> list[Reference]:
    sources = job.slot_sources or {}
    attachments = (job.snapshot or {}).get("attachments") or {}
    image_ids = [s["image"] for s in sources.values() if "image" in s]
    video_ids = [s["video"] for s in sources.values() if "video" in s]
    images = visible_images(team).in_bulk(image_ids) if image_ids else {}
    videos = for_team(ReferenceVideo, team).in_bulk(video_ids) if video_ids else {}
    versions = {v.pk: v for v in element_versions(job)}
    out = []
    for slot in sorted(set(sources) | set(attachments), key=_sort_key):
        source, attachment = sources.get(slot, {}), attachments.get(slot, {})
        kind = slot_kind(slot) or "image"
        role = attachment.get("role") if kind == "image" else (
            attachment.get("refer_type") if kind == "video" else "element")
        name, thumb = str(attachment.get("ref") or "—"), None
        if "image" in source and source["image"] in images:
            image = images[source["image"]]
            name, thumb = image.name, reverse("library:image_file", args=[image.pk, "256"])
        elif "video" in source and source["video"] in videos:
            video = videos[source["video"]]
            name, thumb = video.name, reverse("library:video_file", args=[video.pk, "poster"])
        elif "element_version" in source and source["element_version"] in versions:
            version = versions[source["element_version"]]
            name, thumb = f"{version.name} v{version.number}", version.thumb
        elif source:
            name = f"{name} (no longer in the library)"
        out.append(Reference(slot, kind, role or "reference", name, thumb))
    return out


def element_versions(job) -> list[ElementVersion]:
    versions = list(ElementVersion.objects.filter(job_sources__job=job).distinct()
                    .select_related("element").prefetch_related("images__image"))
    for version in versions:
        frontal = version.frontal
        version.thumb = (reverse("library:image_file", args=[frontal.pk, "256"]) if frontal
                         else reverse("library:version_file", args=[version.pk, "poster"])
                         if version.poster else None)
    return versions
