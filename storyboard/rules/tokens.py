"""Reference tokens in prompts: finding, normalising, and rendering them per dialect.

Prompts are stored in one neutral form: ``@image_N``, ``@element_N``, ``@video_1``. A pasted
``<<<image_N>>>`` is normalised to ``@image_N``. A token is only a token when it stands on its own:
``a@image_1x`` (an e-mail-like word) is text, and ``@image_10`` is image 10, never image 1 + "0".

Renumbering: in a request, N is the 1-based position in *that kind's list*, not the slot number.
With ``image_1`` and ``image_3`` attached, kling's ``image_list`` has two items, so ``@image_3``
renders as ``<<<image_2>>>``. :func:`plan_layout` decides the lists (and so the numbers) once;
the checks (for rendered prompt lengths) and the body builder both use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .model import SLOT_NAMES, Storyboard, slot_kind

# \w is Unicode-aware, so "é@image_1" is not a token either.
TOKEN_RE = re.compile(r"(?<![\w@])@(image|element|video)_(\d+)(?!\w)")
PASTED_RE = re.compile(r"<<<\s*(image|element|video)_(\d+)\s*>>>")


def normalise_tokens(text: str) -> str:
    """Turn pasted ``<<<image_N>>>`` forms into ``@image_N``.

    A space is added where the pasted form touched a word (``stove<<<image_1>>>``), otherwise the
    neutral token would be glued to the word and stop being a token.
    """
    if "<<<" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        before = m.string[m.start() - 1] if m.start() > 0 else " "
        after = m.string[m.end()] if m.end() < len(m.string) else " "
        lead = " " if (before.isalnum() or before in "_@") else ""
        tail = " " if (after.isalnum() or after == "_") else ""
        return f"{lead}@{m.group(1)}_{int(m.group(2))}{tail}"

    return PASTED_RE.sub(repl, text)


def find_tokens(text: str) -> list[str]:
    """Slot names mentioned in ``text`` (neutral or pasted form), in order, with repeats."""
    return [f"{m.group(1)}_{int(m.group(2))}" for m in TOKEN_RE.finditer(normalise_tokens(text))]


def render_tokens(text: str, rendered: Mapping[str, str]) -> str:
    """Replace each neutral token whose slot is in ``rendered``; other tokens stay as typed."""
    text = normalise_tokens(text)

    def repl(m: re.Match[str]) -> str:
        return rendered.get(f"{m.group(1)}_{int(m.group(2))}", m.group(0))

    return TOKEN_RE.sub(repl, text)


def mentioned_but_missing(prompts: Iterable[str], attached: Iterable[str]) -> list[str]:
    have = set(attached)
    seen: list[str] = []
    for p in prompts:
        seen.extend(s for s in find_tokens(p) if s not in have and s not in seen)
    return seen


def attached_but_unused(prompts: Iterable[str], attached: Iterable[str]) -> list[str]:
    used = {s for p in prompts for s in find_tokens(p)}
    return [s for s in attached if s not in used]


@dataclass
class Layout:
    """How one storyboard's references are laid out in one dialect's request.

    ``images``: (slot, role) in request order — kling's ``image_list``, APIMart's ``image_urls`` /
    ``image_with_roles``, useapi's ``image_N`` (reference images only; useapi sends frames as
    ``frame_start``/``frame_end``). ``elements``: element slots in request order.
    ``as_images``: element slots sent as their frontal image (CometAPI without an element id); they
    sit at the end of ``images``. ``tokens``: slot -> text the neutral token renders to.
    ``unrenderable``: slots that have no token in this dialect (a useapi frame).
    """

    dialect: str
    images: list[tuple[str, str]] = field(default_factory=list)
    frames: dict[str, str] = field(default_factory=dict)  # useapi: role -> slot
    elements: list[str] = field(default_factory=list)
    as_images: list[str] = field(default_factory=list)
    video: str | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    unrenderable: list[str] = field(default_factory=list)


def _image_token(dialect: str, n: int) -> str:
    return f"@image_{n}" if dialect == "useapi" else f"<<<image_{n}>>>"


def plan_layout(
    storyboard: Storyboard,
    dialect: str,
    *,
    elements_as_images: Iterable[str] = (),
) -> Layout:
    """Lay out the attachments of ``storyboard`` for ``dialect`` (see :class:`Layout`).

    Slots that are not valid slot names are left out; the checks report them.
    """
    lay = Layout(dialect)
    as_images = set(elements_as_images)
    ordered = [(s, a) for s, a in storyboard.sorted_attachments() if s in SLOT_NAMES]
    if dialect == "animatic":
        lay.tokens = {s: f"@{s}" for s, _ in ordered}
    for slot, att in ordered:
        kind = slot_kind(slot)
        if kind == "image":
            if dialect == "useapi" and att.role in ("first_frame", "end_frame"):
                lay.frames[att.role] = slot
                lay.unrenderable.append(slot)
            else:
                lay.images.append((slot, att.role))
        elif kind == "element":
            if slot in as_images and dialect in ("kling", "cometapi"):
                lay.as_images.append(slot)
            else:
                lay.elements.append(slot)
        elif kind == "video":
            lay.video = slot
    lay.images.extend((s, "reference") for s in lay.as_images)
    if dialect == "animatic":
        return lay
    for n, (slot, _) in enumerate(lay.images, start=1):
        lay.tokens[slot] = _image_token(dialect, n)
    for n, slot in enumerate(lay.elements, start=1):
        if dialect == "useapi":
            lay.tokens[slot] = f"@element_{n}"
        else:
            lay.tokens[slot] = f"<<<element_{n}>>>"
    if lay.video:
        lay.tokens[lay.video] = "@video_1" if dialect == "useapi" else "<<<video_1>>>"
    return lay
