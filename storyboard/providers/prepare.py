"""From a storyboard's attachments to what a dialect's create body needs (`refs` of
rules.build_body): uploads, public URLs or base64 for media; element ids created lazily and
remembered, frontal images where the vendor cannot create elements, inline subjects where it
takes them in the body.

The caller supplies the media behind each slot and a mapping in which remote element ids are
remembered per (element version, account); the app passes a database-backed one, so the second
job that uses an element reuses its id instead of creating it again.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from storyboard.rules import ElementAsImage, Storyboard
from storyboard.rules.model import slot_kind

from .base import ElementSpec, Failure, Media, Provider, ProviderError


@dataclass(frozen=True)
class ElementSource:
    """A library element version behind an `element_N` slot."""

    key: str  # stable id of the element version, e.g. "ev:42"
    spec: ElementSpec
    remote_id: str | None = None  # an id given as is (batch files: "u_…")


@dataclass
class Prepared:
    refs: dict[str, Any]
    pending_elements: dict[str, str]  # slot -> element-creation task id still running
    notes: list[str]

    @property
    def ready(self) -> bool:
        return not self.pending_elements


def prepare_refs(
    provider: Provider,
    storyboard: Storyboard,
    *,
    media: Callable[[str], Media | None],
    elements: Callable[[str], ElementSource | None],
    element_ids: MutableMapping[str, str],
    element_tasks: MutableMapping[str, str] | None = None,
) -> Prepared:
    """Resolves every attachment. Element creation that the dialect runs as a task is
    started and reported in `pending_elements`; call again later to pick the ids up."""
    refs: dict[str, Any] = {}
    pending: dict[str, str] = {}
    notes: list[str] = []
    tasks = element_tasks if element_tasks is not None else {}
    for slot, attachment in storyboard.sorted_attachments():
        kind = slot_kind(slot)
        if kind in ("image", "video"):
            item = media(slot)
            if item is None:
                if attachment.ref.startswith(("http://", "https://")):
                    refs[slot] = _address(provider, slot, attachment.ref)
                    continue
                raise ProviderError(
                    Failure.REJECTED, f"{slot}: the file behind it is missing", retryable=False
                )
            refs[slot] = provider.reference(slot, item)
        elif kind == "element":
            source = elements(slot)
            if source is None:
                refs[slot] = attachment.ref  # a provider id given as is
                continue
            refs[slot] = _element_ref(provider, slot, source, element_ids, tasks, pending, notes)
    return Prepared(refs, pending, notes)


def _address(provider: Provider, slot: str, url: str) -> str:
    """A web address given for a slot, sent as is where the vendor fetches addresses itself.
    Where it takes only its own uploads, the address had to be downloaded into the library
    before the job was made (jobs/batch.py); a job that still holds the bare address is refused
    here rather than sent to be refused."""
    if provider.takes_media_urls:
        return url
    shown = url if len(url) <= 80 else url[:77] + "…"
    raise ProviderError(
        Failure.REJECTED,
        f"{slot}: {provider.label} takes only files uploaded to it, not a web address "
        f"({shown}); add the image to the library and use it from there.",
        retryable=False,
    )


def _element_ref(
    provider: Provider,
    slot: str,
    source: ElementSource,
    element_ids: MutableMapping[str, str],
    tasks: MutableMapping[str, str],
    pending: dict[str, str],
    notes: list[str],
) -> Any:
    spec = source.spec
    if provider.inline_elements:
        return provider.inline_element(slot, spec)
    if source.remote_id:
        return source.remote_id
    known = element_ids.get(source.key)
    if known:
        return known
    if not provider.has_elements:
        if spec.frontal is None:
            raise ProviderError(
                Failure.REJECTED,
                f"{slot}: {provider.label} cannot create "
                "elements and this one has no frontal image.",
                retryable=False,
            )
        notes.append(
            f"{slot} ({spec.name}) is sent as its frontal image: {provider.label} "
            "cannot create elements."
        )
        return ElementAsImage(provider.reference(slot, spec.frontal))
    running = tasks.get(source.key)
    creation = provider.element_status(running) if running else provider.create_element(spec)
    notes.extend(f"{slot}: {note}" for note in creation.notes)
    if creation.failed:
        tasks.pop(source.key, None)
        raise ProviderError(
            Failure.REJECTED,
            f"{slot}: creating the element {spec.name!r} failed: {creation.failed}",
            retryable=False,
        )
    if creation.element_id:
        element_ids[source.key] = creation.element_id
        tasks.pop(source.key, None)
        return creation.element_id
    tasks[source.key] = creation.task_id or ""
    pending[slot] = creation.task_id or ""
    return None


def media_type_for(path_suffix: str) -> str:
    return {
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".png": "image/png",
        ".mp4": "video/mp4",
        ".mov": "video/quicktime",
    }.get(path_suffix.lower(), "application/octet-stream")


__all__ = ["ElementSource", "Prepared", "prepare_refs", "media_type_for"]
