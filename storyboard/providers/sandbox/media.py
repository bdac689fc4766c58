"""Media for the sandbox: the storyboard a create body describes, renders, posters, sniffing.

Standard library only; the MP4s come from the animatic renderer (imported lazily, so the sandbox
starts, and answers everything but a finished video, even where PyAV is missing).
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyboard.rules import Storyboard
from storyboard.rules.tokens import normalise_tokens

ASPECTS = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1)}


@dataclass(frozen=True)
class Plan:
    """What a create body asks to see: the animatic's input, in dialect-neutral form."""

    model: str  # o1 / v3
    aspect_ratio: str  # 16:9 / 9:16 / 1:1 (useapi "auto" renders as 16:9)
    shots: tuple[tuple[str, int], ...]  # (prompt, whole seconds)
    multi_shot: bool = False
    # (slot, reference): a file the sandbox holds (upload, decoded base64) or an http(s) URL
    # fetched when the clip is rendered; element slots carry the element's frontal picture
    images: tuple[tuple[str, str], ...] = ()
    title: str = ""

    @property
    def total_seconds(self) -> int:
        return sum(d for _, d in self.shots)

    def storyboard(self) -> Storyboard:
        slots = [slot for slot, _ in self.images]
        shots = [{"prompt": _with_picture(normalise_tokens(p), slots), "duration": d}
                 for p, d in self.shots]
        data: dict[str, Any] = {
            "title": self.title,
            "target": {"dialect": "animatic", "model": self.model},
            "aspect_ratio": self.aspect_ratio,
            "multi_shot": self.multi_shot,
            "attachments": {slot: {"ref": ref} for slot, ref in self.images},
        }
        if self.multi_shot:
            data["shots"] = shots
        else:
            data["prompt"], data["duration"] = shots[0]["prompt"], shots[0]["duration"]
        return Storyboard.from_dict(data)

    def to_record(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "aspect_ratio": self.aspect_ratio,
            "shots": [list(s) for s in self.shots],
            "multi_shot": self.multi_shot,
            "images": [list(i) for i in self.images],
            "title": self.title,
        }

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Plan:
        return cls(
            model=str(data["model"]),
            aspect_ratio=str(data["aspect_ratio"]),
            shots=tuple((str(p), int(d)) for p, d in data["shots"]),
            multi_shot=bool(data.get("multi_shot")),
            images=tuple((str(s), str(r)) for s, r in data.get("images", ())),
            title=str(data.get("title") or ""),
        )


def _with_picture(prompt: str, slots: list[str]) -> str:
    """The animatic shows the first picture a shot's prompt names; a shot naming none of the
    received pictures (a first frame is rarely named) shows the first one, as the vendor's
    clip would start from it, instead of a title card."""
    if not slots or any(f"@{slot}" in prompt for slot in slots):
        return prompt
    return f"{prompt} @{slots[0]}"


@dataclass(frozen=True)
class Rendered:
    path: Path
    duration: float  # seconds
    width: int
    height: int


def render_size(aspect: str, size: tuple[int, int]) -> tuple[int, int]:
    """The configured long side, the short side from the aspect ratio; even, for yuv420p."""
    w, h = ASPECTS.get(aspect, (16, 9))
    long_side = max(size)
    if w >= h:
        return long_side, max(2, round(long_side * h / w / 2) * 2)
    return max(2, round(long_side * w / h / 2) * 2), long_side


def render_key(plan: Plan, size: tuple[int, int], watermark: str | None) -> str:
    """Same plan, size and watermark -> same file: a sweep of identical jobs renders once."""
    blob = json.dumps([plan.storyboard().to_dict(), size, watermark], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def render_plan(
    plan: Plan,
    out_path: Path,
    size: tuple[int, int],
    watermark: str | None,
    renderer: Callable[..., Any] | None = None,
    resolve: Callable[[str], Path | None] | None = None,
) -> Rendered:
    """Render ``plan`` to ``out_path`` (atomically) and note its facts beside it, so a restarted
    sandbox finds the finished file without probing it. ``resolve`` turns each reference into
    a local picture (None: leave the slot to a title card)."""
    if renderer is None:
        # Lazy: the animatic (PyAV) is only needed once a task finishes.
        from storyboard.providers.animatic import render_animatic

        renderer = render_animatic
    out_path.parent.mkdir(parents=True, exist_ok=True)
    images = {}
    for slot, ref in plan.images:
        path = resolve(ref) if resolve is not None else Path(ref)
        if path is not None:
            images[slot] = path
    tmp = out_path.with_suffix(".part.mp4")
    result = renderer(
        plan.storyboard(),
        tmp,
        images=images or None,
        size=render_size(plan.aspect_ratio, size),
        watermark=watermark,
    )
    tmp.replace(out_path)  # atomic: a concurrent download never sees half a render
    rendered = Rendered(out_path, float(result.duration), int(result.width), int(result.height))
    facts = out_path.with_suffix(".json")
    part = facts.with_suffix(".json.part")
    part.write_text(json.dumps(
        {"duration": rendered.duration, "width": rendered.width, "height": rendered.height}))
    part.replace(facts)
    return rendered


def finished_render(out_path: Path) -> Rendered | None:
    """A render an earlier run finished (its MP4 and its facts both on disk), or None."""
    try:
        facts = json.loads(out_path.with_suffix(".json").read_text())
        if not out_path.is_file():
            return None
        return Rendered(out_path, float(facts["duration"]), int(facts["width"]),
                        int(facts["height"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def poster_png(width: int, height: int, rgb: tuple[int, int, int] = (40, 44, 52)) -> bytes:
    """A flat PNG, enough for a ``cover.resource`` poster in a simulator."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def image_size(data: bytes, content_type: str) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG, or None when the bytes are not that format."""
    if content_type == "image/png":
        if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
            return None
        return struct.unpack(">II", data[16:24])
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        # SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC)
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return w, h
        i += 2 + length
    return None


def mp4_duration(data: bytes) -> float | None:
    """Seconds from the ``moov/mvhd`` box, or None when the bytes are not an MP4/MOV."""
    if data[4:8] not in (b"ftyp", b"moov", b"wide", b"mdat", b"free"):
        return None

    def boxes(buf: bytes, start: int, end: int) -> Any:
        i = start
        while i + 8 <= end:
            size, kind = struct.unpack(">I4s", buf[i : i + 8])
            header = 8
            if size == 1 and i + 16 <= end:
                (size,) = struct.unpack(">Q", buf[i + 8 : i + 16])
                header = 16
            elif size == 0:
                size = end - i
            if size < header:
                return
            yield kind, i + header, min(i + size, end)
            i += size

    for kind, start, end in boxes(data, 0, len(data)):
        if kind != b"moov":
            continue
        for sub, s, _e in boxes(data, start, end):
            if sub == b"mvhd":
                version = data[s]
                if version == 1:
                    scale, length = struct.unpack(">IQ", data[s + 20 : s + 32])
                else:
                    scale, length = struct.unpack(">II", data[s + 12 : s + 20])
                return length / scale if scale else None
    return None


def sha_name(data: bytes, ext: str) -> str:
    return hashlib.sha256(data).hexdigest()[:32] + ext
