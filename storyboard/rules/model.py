"""The storyboard value type shared by the editor, the Django models, the batch format and the CLI.

A storyboard is plain data: settings, a target (dialect + model), shots, and attachments keyed by
slot name (``image_1``..``image_7``, ``element_1``..``element_7``, ``video_1``). The rules never
look inside an attachment's ``ref`` (a URL, a local path, a provider element id or a library
name): resolving it is the caller's job.

Values that a person types (durations, count) are kept *raw* (``"abc"``, ``"3.5"``, ``None``), so
the checks can report them on the right field instead of the reader crashing on them.

``to_dict``/``from_dict`` convert to and from plain JSON-able dicts (not the batch file format,
which lives in :mod:`storyboard.rules.batch`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

IMAGE_ROLES = ("reference", "first_frame", "end_frame")
REFER_TYPES = ("feature", "base")
MAX_SLOT_INDEX = 7

IMAGE_SLOTS = tuple(f"image_{i}" for i in range(1, MAX_SLOT_INDEX + 1))
ELEMENT_SLOTS = tuple(f"element_{i}" for i in range(1, MAX_SLOT_INDEX + 1))
VIDEO_SLOTS = ("video_1",)
VOICE_KINDS = ("id", "clip")  # an element's voice: a voice id, or a clip to clone
SLOT_NAMES = IMAGE_SLOTS + ELEMENT_SLOTS + VIDEO_SLOTS
# Anything shaped like a slot, valid or not (image_9, video_2): the checks report the bad ones.
SLOT_PATTERN = re.compile(r"(image|element|video)_(\d{1,6})", re.ASCII)
_VALID_KEYS = {
    name: (i // MAX_SLOT_INDEX, i % MAX_SLOT_INDEX + 1, name) for i, name in enumerate(SLOT_NAMES)
}


def slot_kind(slot: str) -> str | None:
    """``"image"``, ``"element"`` or ``"video"`` for a slot-shaped name, else None."""
    m = SLOT_PATTERN.fullmatch(slot)
    return m.group(1) if m else None


def slot_index(slot: str) -> int:
    """The number of a slot-shaped name (``image_3`` -> 3); 0 when it is not slot-shaped."""
    m = SLOT_PATTERN.fullmatch(slot)
    return int(m.group(2)) if m else 0


_KIND_ORDER = {"image": 0, "element": 1, "video": 2}


def slot_sort_key(slot: str) -> tuple[int, int, str]:
    """Images, then elements, then video; by number (image_2 before image_10)."""
    key = _VALID_KEYS.get(slot)
    if key is None:
        key = (_KIND_ORDER.get(slot_kind(slot) or "", 3), slot_index(slot), slot)
    return key


@dataclass(frozen=True)
class Target:
    dialect: str
    model: str

    def label(self) -> str:
        return f"{self.dialect} {self.model}"

    def to_dict(self) -> dict[str, str]:
        return {"dialect": self.dialect, "model": self.model}


@dataclass(frozen=True)
class Shot:
    prompt: str = ""
    duration: Any = None  # raw value; see parse_whole_seconds


@dataclass(frozen=True)
class Attachment:
    """One filled slot. Which fields matter depends on the slot's kind.

    images:   ``role`` is reference / first_frame / end_frame.
    video_1:  ``refer_type`` feature / base, ``keep_original_sound``.
    elements: optional facts some checks and dialects need: ``name`` and ``description`` (element
              creation), ``is_video_element``, ``frontal_image`` and ``extra_images`` (refs of the
              element's pictures; CometAPI falls back to the frontal image), ``tag`` (character,
              prop, ...; "" unknown) and ``voice``: "" none, "id" a voice id from the vendor's
              voice library, "clip" a clip to clone (useapi takes a voice on a character only).
    any slot: ``unavailable`` says why the item behind the slot may not be used any more (e.g.
              its library was shared and no longer is); non-empty is an error. It is not part of
              the saved value: only the app that holds the library knows it.
    """

    ref: str
    role: str = "reference"
    refer_type: str = "feature"
    keep_original_sound: bool = False
    name: str = ""
    description: str = ""
    is_video_element: bool = False
    frontal_image: str | None = None
    extra_images: tuple[str, ...] = ()
    tag: str = ""
    voice: str = ""
    unavailable: str = ""

    def to_dict(self, slot: str) -> dict[str, Any]:
        kind = slot_kind(slot)
        out: dict[str, Any] = {"ref": self.ref}
        if kind == "image":
            out["role"] = self.role
        elif kind == "video":
            out["refer_type"] = self.refer_type
            out["keep_original_sound"] = self.keep_original_sound
        elif kind == "element":
            out.update(
                name=self.name,
                description=self.description,
                is_video_element=self.is_video_element,
                frontal_image=self.frontal_image,
                extra_images=list(self.extra_images),
                tag=self.tag,
                voice=self.voice,
            )
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attachment:
        return cls(
            ref=str(data.get("ref", "")),
            role=str(data.get("role", "reference")),
            refer_type=str(data.get("refer_type", "feature")),
            keep_original_sound=bool(data.get("keep_original_sound", False)),
            name=str(data.get("name") or ""),
            description=str(data.get("description") or ""),
            is_video_element=bool(data.get("is_video_element", False)),
            frontal_image=data.get("frontal_image"),
            extra_images=tuple(data.get("extra_images") or ()),
            tag=str(data.get("tag") or ""),
            voice=str(data.get("voice") or ""),
        )


@dataclass(frozen=True)
class Settings:
    """Job-wide settings. ``prompt``/``duration`` are the single shot's; in multi-shot mode the
    shots carry them (APIMart still sends ``prompt``, see bodies.py)."""

    title: str = ""
    mode: str = "std"
    aspect_ratio: str = "16:9"
    duration: Any = 5  # raw, single-shot only
    count: Any = 1  # raw
    audio: bool = False
    negative_prompt: str = ""
    multi_shot: bool = False
    prompt: str = ""


@dataclass(frozen=True)
class Storyboard:
    settings: Settings = field(default_factory=Settings)
    target: Target = field(default_factory=lambda: Target("animatic", "v3"))
    shots: tuple[Shot, ...] = ()
    # slot name -> attachment; keys are kept even when invalid (image_9) so checks can name them
    attachments: Mapping[str, Attachment] = field(default_factory=dict)

    def effective_shots(self) -> list[tuple[str, str, Shot]]:
        """(prompt field, duration field, shot) for every shot; a single-shot storyboard is one
        shot made of ``settings.prompt``/``settings.duration``."""
        if not self.settings.multi_shot:
            shot = Shot(self.settings.prompt, self.settings.duration)
            return [("prompt", "duration", shot)]
        return [(f"shots[{i}].prompt", f"shots[{i}].duration", s) for i, s in enumerate(self.shots)]

    def sorted_attachments(self) -> list[tuple[str, Attachment]]:
        return sorted(self.attachments.items(), key=lambda kv: slot_sort_key(kv[0]))

    def to_dict(self) -> dict[str, Any]:
        s = self.settings
        return {
            "title": s.title,
            "target": self.target.to_dict(),
            "mode": s.mode,
            "aspect_ratio": s.aspect_ratio,
            "duration": s.duration,
            "count": s.count,
            "audio": s.audio,
            "negative_prompt": s.negative_prompt,
            "multi_shot": s.multi_shot,
            "prompt": s.prompt,
            "shots": [{"prompt": x.prompt, "duration": x.duration} for x in self.shots],
            "attachments": {k: a.to_dict(k) for k, a in self.sorted_attachments()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Storyboard:
        """Inverse of :meth:`to_dict`; missing keys take the defaults."""
        target = data.get("target") or {}
        defaults = Settings()
        settings = Settings(
            title=str(data.get("title") or ""),
            mode=str(data.get("mode", defaults.mode)),
            aspect_ratio=str(data.get("aspect_ratio", defaults.aspect_ratio)),
            duration=data.get("duration", defaults.duration),
            count=data.get("count", defaults.count),
            audio=bool(data.get("audio", False)),
            negative_prompt=str(data.get("negative_prompt") or ""),
            multi_shot=bool(data.get("multi_shot", False)),
            prompt=str(data.get("prompt") or ""),
        )
        shots = tuple(
            Shot(str(x.get("prompt") or ""), x.get("duration")) for x in data.get("shots") or ()
        )
        attachments = {
            str(k): Attachment.from_dict(v) for k, v in (data.get("attachments") or {}).items()
        }
        return cls(
            settings=settings,
            target=Target(str(target.get("dialect", "animatic")), str(target.get("model", "v3"))),
            shots=shots,
            attachments=attachments,
        )


_WHOLE = re.compile(r"\s*[+-]?\d{1,9}\s*", re.ASCII)


def parse_whole_seconds(raw: Any) -> int | None:
    """A whole number of seconds from a raw value, or None when it is not one.

    Accepts ints, integral floats (``3.0``) and digit strings (``"5"``, the batch format's form);
    refuses bools, ``"3.5"``, ``"abc"``, None and absurdly long digit strings.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() and abs(raw) < 1e9 else None
    if isinstance(raw, str) and _WHOLE.fullmatch(raw):
        return int(raw)
    return None
