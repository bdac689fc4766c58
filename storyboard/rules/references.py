"""Checks of references and slots (docs/rules.md §6–11) plus the dialect-specific
ones: media the vendor fetches by URL, element ids (integers on kling/cometapi, missing on
cometapi), element voices, base videos, elements where none are offered (APIMart)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .analysis import Facts
from .capabilities import Capability
from .model import IMAGE_ROLES, MAX_SLOT_INDEX, REFER_TYPES, Attachment, slot_kind
from .report import ERROR, WARNING, Problem

if TYPE_CHECKING:
    from .checks import CheckContext


def _human(slot: str) -> str:
    """``image_3`` -> ``image 3`` for messages."""
    return slot.replace("_", " ")


def _is_public_url(ref: str | None) -> bool:
    return bool(ref) and ref.startswith(("http://", "https://"))  # type: ignore[union-attr]


def check_references(
    f: Facts,
    cap: Capability,
    label: str,
    ctx: CheckContext,
    as_images: list[str],
    out: list[Problem],
) -> int:
    """Append the reference problems to ``out``; return the slot limit in force."""
    for slot in f.bad_slots:
        kind = slot_kind(slot)
        where = (
            f"{kind}s go in {kind}_1 to {kind}_{MAX_SLOT_INDEX}"
            if kind in ("image", "element")
            else "the video goes in video_1"
        )
        out.append(Problem(ERROR, "slot_unknown", slot, f"{slot} is not a slot; {where}."))
    for slot, attachment in sorted(f.storyboard.attachments.items()):
        if attachment.unavailable:
            out.append(Problem(ERROR, "slot_unavailable", slot,
                               f"@{slot}: {attachment.unavailable}"))

    # §6 slot pool
    limit = cap.slots_with_video if f.video else cap.slots
    if f.slots_used > limit:
        with_video = " with a reference video" if f.video else ""
        out.append(
            Problem(
                ERROR,
                "slots_exceeded",
                "slots",
                f"{f.slots_used} images and elements are attached; the limit"
                f"{with_video} is {limit}.",
            )
        )

    # §7 mentioned but missing; useapi frames have no token
    attached = {s for s, _ in f.images} | {s for s, _ in f.elements}
    if f.video:
        attached.add(f.video[0])
    frames = set(f.first_frames) | set(f.end_frames) if cap.dialect == "useapi" else set()
    prompts = [(s.prompt_field, s.label, s.mentions) for s in f.shots]
    if f.multi_shot and f.main_mentions:
        prompts.append(("prompt", "the main prompt", f.main_mentions))
    for fld, where, mentions in prompts:
        seen: set[str] = set()
        for slot in mentions:
            if slot in seen:
                continue
            seen.add(slot)
            if slot not in attached:
                out.append(
                    Problem(
                        ERROR,
                        "reference_missing",
                        fld,
                        f"@{slot} is mentioned in {where} but no {_human(slot)} is attached.",
                    )
                )
            elif slot in frames:
                out.append(
                    Problem(
                        ERROR,
                        "frame_token_unsupported",
                        fld,
                        f"@{slot} is mentioned in {where}, but {_human(slot)} is a "
                        f"frame: useapi sends frames as frame_start/frame_end, which "
                        f"a prompt cannot cite.",
                    )
                )

    # §8 attached but unused (frames are used as frames, not cited)
    for slot in sorted(
        attached - f.mentioned - set(f.first_frames) - set(f.end_frames),
        key=lambda s: (slot_kind(s) != "image", slot_kind(s) == "video", s),
    ):
        out.append(
            Problem(WARNING, "reference_unused", slot, f"{_human(slot)} is attached but not used.")
        )

    _frames(f, cap, label, out)

    # §10 video elements
    for slot, att in f.elements:
        if not att.is_video_element:
            continue
        if not cap.video_elements:
            out.append(
                Problem(
                    ERROR,
                    "video_element_unsupported",
                    slot,
                    f"{_human(slot)} is a video element; {label} takes image elements only.",
                )
            )
        elif f.video:
            out.append(
                Problem(
                    ERROR,
                    "video_element_with_video",
                    slot,
                    f"{_human(slot)} is a video element, which cannot be combined "
                    f"with a reference video.",
                )
            )

    # §11
    if f.video and f.storyboard.settings.audio:
        out.append(
            Problem(ERROR, "audio_with_video", "audio", "Audio must be off with a reference video.")
        )

    _dialect_specific(f, cap, label, ctx, as_images, out)
    return limit


def _frames(f: Facts, cap: Capability, label: str, out: list[Problem]) -> None:
    """§9 and role validity."""
    for slot, att in f.images:
        if att.role not in IMAGE_ROLES:
            out.append(
                Problem(
                    ERROR,
                    "role_invalid",
                    slot,
                    f"{_human(slot)} has role {att.role!r}; roles are reference, "
                    f"first_frame, end_frame.",
                )
            )
    if f.video and f.video[1].refer_type not in REFER_TYPES:
        out.append(
            Problem(
                ERROR,
                "role_invalid",
                f.video[0],
                f"video 1 has refer type {f.video[1].refer_type!r}; it is feature or base.",
            )
        )
    for kind, slots in (("first frame", f.first_frames), ("end frame", f.end_frames)):
        if len(slots) > 1:
            out.append(
                Problem(
                    ERROR,
                    "frame_duplicate",
                    slots[1],
                    f"{_human(slots[0])} and {_human(slots[1])} are both the {kind}; "
                    f"a clip has one.",
                )
            )
    if f.end_frames and not f.first_frames:
        out.append(
            Problem(
                ERROR,
                "end_frame_without_first",
                f.end_frames[0],
                f"{_human(f.end_frames[0])} is an end frame, but no image is the first frame.",
            )
        )
    if f.end_frames and f.multi_shot:
        out.append(
            Problem(
                ERROR,
                "end_frame_multi_shot",
                f.end_frames[0],
                "A multi-shot job may have a first frame but no end frame.",
            )
        )
    if (f.first_frames or f.end_frames) and f.base_video:
        out.append(
            Problem(
                ERROR,
                "frames_with_base_video",
                f.video[0],  # type: ignore[index]
                "First and end frames cannot be combined with a base reference video.",
            )
        )
    n_el = len(f.elements)
    if f.first_frames and n_el > cap.elements_with_first_frame:
        out.append(
            Problem(
                ERROR,
                "elements_with_first_frame",
                f.elements[cap.elements_with_first_frame][0],
                f"With a first frame at most {cap.elements_with_first_frame} elements "
                f"can be attached; there are {n_el}.",
            )
        )
    if cap.model == "o1" and f.first_frames and f.end_frames and len(f.images) > 2:
        out.append(
            Problem(
                ERROR,
                "o1_frames_many_images",
                f.end_frames[0],
                f"{label} cannot combine a first and an end frame with more than 2 "
                f"images; {len(f.images)} are attached.",
            )
        )


def _is_whole_number(ref: str) -> bool:
    text = ref.strip()
    return text.isascii() and text.isdigit() and len(text) <= 19  # an int64


def _is_raw_id(att: Attachment) -> bool:
    """An element given only as a remote id (a batch file's ``element_1: "u_abc"``): nothing the
    app could create it from or send instead, so the id itself is sent."""
    return not (att.name or att.frontal_image or att.extra_images or att.is_video_element)


def _by_url_problem(
    f: Facts, cap: Capability, label: str, ctx: CheckContext, out: list[Problem]
) -> None:
    """Media the vendor fetches by URL while this install may have no public media address."""
    if ctx.public_media is True:
        return
    for slot, att in f.images + f.elements + ([f.video] if f.video else []):
        kind = slot_kind(slot)
        if cap.public_media:
            refs = [att.ref]
            if kind == "element":
                refs = [r for r in (att.frontal_image, *att.extra_images) if r]
            what = "references"
        elif "video" in cap.url_only and (
            kind == "video" or (kind == "element" and att.is_video_element)
        ):
            refs = [att.ref] if kind == "video" or not _is_raw_id(att) else []
            what = "reference videos and video elements' clips"
        else:
            continue
        local = next((r for r in refs if not _is_public_url(r)), None)
        if local is None:
            continue
        fix = (
            "set the install's public base URL (STORYBOARD_PUBLIC_BASE_URL) so the vendor can "
            "fetch its media, or pick another target"
        )
        if ctx.public_media is False:
            sev, why = ERROR, f"this install has no public media address: {fix}"
        else:
            sev, why = WARNING, "make sure it is reachable from the internet"
        out.append(
            Problem(
                sev,
                "public_media_required",
                slot,
                f"{label} fetches {what} by public URL only; {_human(slot)} is not one "
                f"({local[:60]}), and {why}.",
            )
        )
        return  # one is enough: the fix (a public media URL) is the same for all


def _elements(
    f: Facts, cap: Capability, label: str, ctx: CheckContext, as_images: list[str],
    out: list[Problem],
) -> None:
    have = ctx.element_ids.get(cap.dialect)
    for slot, att in f.elements:
        if not cap.elements:
            out.append(
                Problem(
                    ERROR,
                    "elements_unsupported",
                    slot,
                    f"{_human(slot)}: elements are not offered on {cap.dialect_label}; attach "
                    f"its pictures as reference images instead, or pick another target.",
                )
            )
            continue
        if cap.element_ids_integer and _is_raw_id(att) and not _is_whole_number(att.ref):
            out.append(
                Problem(
                    ERROR,
                    "element_id_not_integer",
                    slot,
                    f"{_human(slot)} is {say_ref(att.ref)}, but {label} takes element ids that "
                    f"are whole numbers (element_list[].element_id); use an element id of this "
                    f"{cap.dialect} account or an element from the library.",
                )
            )
            continue
        if att.voice:
            _voice(slot, att, cap, label, have, out)
        if not cap.element_ids_required or have is None or slot in have:
            continue
        if slot in as_images:
            out.append(
                Problem(
                    WARNING,
                    "element_sent_as_image",
                    slot,
                    f"{_human(slot)} has no {cap.dialect} id; its frontal image "
                    f"is sent as a reference image instead (same slot).",
                )
            )
        else:
            out.append(
                Problem(
                    ERROR,
                    "element_id_missing",
                    slot,
                    f"{_human(slot)} has no {cap.dialect} id and no frontal image "
                    f"to send instead.",
                )
            )


def _voice(
    slot: str, att: Attachment, cap: Capability, label: str, have: frozenset[str] | None,
    out: list[Problem],
) -> None:
    if cap.voice_tags is not None and att.tag not in cap.voice_tags:
        tag = f"its tag is {att.tag}" if att.tag else "it has no tag"
        takes = " or ".join(cap.voice_tags)
        out.append(
            Problem(
                ERROR,
                "voice_needs_character_tag",
                slot,
                f"{_human(slot)} has a voice, but {tag}: {label} takes a voice only on a "
                f"{takes} element. Tag the element {takes} or remove its voice.",
            )
        )
    elif att.voice not in cap.element_voices and not (have and slot in have):
        what = "voice id" if att.voice == "id" else "voice clip"
        out.append(
            Problem(
                WARNING,
                "element_voice_dropped",
                slot,
                f"{_human(slot)} has a {what}, which {label} does not send with the element: "
                f"the clip is made without that voice.",
            )
        )


def say_ref(ref: str) -> str:
    return f'"{ref}"' if len(ref) <= 30 else f'"{ref[:27]}…"'


def _dialect_specific(
    f: Facts,
    cap: Capability,
    label: str,
    ctx: CheckContext,
    as_images: list[str],
    out: list[Problem],
) -> None:
    _by_url_problem(f, cap, label, ctx, out)
    if f.base_video and not cap.base_video:
        out.append(
            Problem(
                ERROR,
                "base_video_unsupported",
                f.video[0],  # type: ignore[index]
                f"video 1 is a base (edit) video, but {label} takes video_1 only as a "
                f"reference: set its role to feature, or pick a target that edits videos.",
            )
        )
    _elements(f, cap, label, ctx, as_images, out)
