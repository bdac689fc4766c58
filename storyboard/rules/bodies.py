"""Create-request bodies, one builder per dialect (docs/providers.md).

:func:`build_body` assumes the storyboard passed :func:`storyboard.rules.checks.check` for the
target; it does not re-check. References come *resolved* from the caller, so provider adapters can
upload assets first and reuse the builder: ``refs`` maps a slot to

- ``image_N`` / ``video_1``: the string to send (an uploaded URL, a public URL, base64);
- ``element_N``: the provider's element id (useapi ``u_…``; kling/cometapi a whole number, sent
  as an integer), or :class:`ElementAsImage` (kling/cometapi: the element has no id there, its
  frontal image goes in ``image_list``). APIMart takes no elements.

A slot missing from ``refs`` is sent as given in the storyboard (``Attachment.ref``) — what
``storyboard_payload`` prints.

Sources of the APIMart fields (docs.apimart.ai, api-reference/videos/kling-v3-omni/generation and
.../kling-video-o1/generation): ``model`` ``kling-v3-omni`` / ``kling-video-o1``; ``prompt``
(required); ``negative_prompt`` (v3 page); ``mode``; ``duration`` (a plain integer);
``aspect_ratio``; ``image_urls``; ``image_with_roles`` (v3 page); ``video_list`` ("reference video
list (URL-based)", ``refer_type`` base/feature, ``keep_original_sound`` no/yes — the item's URL key
is not shown there: ``video_url`` as in the official schema, which the list mirrors,
[unverified]); ``multi_shot``/``shot_type``/``multi_prompt`` [unverified on APIMart's pages: the
official fields]; ``audio`` (v3 page); ``watermark`` [unverified]. Not sent because no APIMart page
documents them: a subjects/elements field and ``webhook``.

The ``animatic`` dialect has no HTTP body; its "body" is the render plan: every shot with its
start second, duration, rendered-neutral prompt and the first image/element it mentions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .model import Storyboard, Target, parse_whole_seconds, slot_kind
from .tokens import Layout, find_tokens, plan_layout, render_tokens

MODEL_NAMES = {"o1": "kling-video-o1", "v3": "kling-v3-omni"}
APIMART_ROLES = {"first_frame": "first_frame", "end_frame": "last_frame", "reference": "reference"}
# APIMart requires a main prompt in multi-shot; without one, the shot prompts joined by this.
APIMART_SHOT_JOINER = "\n"


@dataclass(frozen=True)
class ElementAsImage:
    """Send this element as a reference image (its frontal image) instead of by id."""

    url: str


@dataclass(frozen=True)
class BodyOptions:
    external_task_id: str | None = None  # kling/cometapi: the job's own id (idempotency)
    callback_url: str | None = None  # kling/cometapi
    email: str | None = None  # useapi: which linked Kling account
    reply_url: str | None = None  # useapi replyUrl
    reply_ref: str | None = None  # useapi replyRef
    # APIMart: not sent. No APIMart page documents a webhook field; its jobs are polled.
    webhook: str | None = None
    watermark: bool | None = None  # kling watermark_info.enabled / apimart watermark


class BodyError(ValueError):
    """The storyboard cannot be expressed in the dialect (it should have failed the checks)."""


def _seconds(raw: object) -> int:
    n = parse_whole_seconds(raw)
    if n is None:
        raise BodyError(f"duration {raw!r} is not a whole number of seconds")
    return n


def _shots(sb: Storyboard, tokens: Mapping[str, str]) -> list[tuple[str, int]]:
    return [
        (render_tokens(s.prompt, tokens), _seconds(s.duration)) for _, _, s in sb.effective_shots()
    ]


def element_id(ref: Any) -> int:
    """A kling/cometapi element id as sent: an integer (int64 in every source)."""
    text = str(ref).strip()
    if not (text.isascii() and text.isdigit()):
        raise BodyError(
            f"element id {ref!r} is not a whole number: kling and cometapi take the account's "
            f"integer element ids"
        )
    return int(text)


def build_body(
    storyboard: Storyboard,
    target: Target | None = None,
    refs: Mapping[str, Any] | None = None,
    options: BodyOptions | None = None,
) -> dict[str, Any]:
    """The JSON body that creates the job for ``target`` (default: the storyboard's own)."""
    target = target or storyboard.target
    if target.model not in MODEL_NAMES:
        raise BodyError(f"unknown model {target.model!r}")
    builder = _BUILDERS.get(target.dialect)
    if builder is None:
        raise BodyError(f"unknown dialect {target.dialect!r}")
    resolved = {slot: att.ref for slot, att in storyboard.attachments.items()}
    resolved.update(refs or {})
    return builder(storyboard, target, resolved, options or BodyOptions())


def _base_video(sb: Storyboard, lay: Layout) -> bool:
    """A base video fixes the frame and (single shot) the length: those fields are not sent."""
    return bool(lay.video) and sb.attachments[lay.video].refer_type == "base"  # type: ignore[index]


def _count(sb: Storyboard) -> int:
    n = parse_whole_seconds(sb.settings.count)
    return 1 if n is None else n


def _useapi(sb: Storyboard, t: Target, refs: Mapping[str, Any], o: BodyOptions) -> dict[str, Any]:
    lay = plan_layout(sb, "useapi")
    if _base_video(sb, lay):  # useapi documents video_1 as a reference only, no refer_type
        raise BodyError("useapi takes video_1 only as a feature reference, not a base video")
    st = sb.settings
    body: dict[str, Any] = {
        "omni_version": t.model,
        "mode": st.mode,
        "aspect_ratio": "auto" if lay.video else st.aspect_ratio,
    }
    shots = _shots(sb, lay.tokens)
    if st.multi_shot:
        for i, (prompt, secs) in enumerate(shots, start=1):
            body[f"shot_{i}_prompt"] = prompt
            body[f"shot_{i}_duration"] = str(secs)
    else:
        body["prompt"], secs = shots[0]
        body["duration"] = str(secs)
    if _count(sb) != 1:
        body["count"] = _count(sb)
    for n, (slot, _) in enumerate(lay.images, start=1):
        body[f"image_{n}"] = refs[slot]
    for role, field_name in (("first_frame", "frame_start"), ("end_frame", "frame_end")):
        if role in lay.frames:
            body[field_name] = refs[lay.frames[role]]
    for n, slot in enumerate(lay.elements, start=1):
        body[f"element_{n}"] = refs[slot]
    if lay.video:
        body["video_1"] = refs[lay.video]
    for key, value in (("email", o.email), ("replyUrl", o.reply_url), ("replyRef", o.reply_ref)):
        if value is not None:
            body[key] = value
    return body


def _video_list(sb: Storyboard, video: str, refs: Mapping[str, Any]) -> list[dict[str, str]]:
    att = sb.attachments[video]
    return [
        {
            "video_url": refs[video],
            "refer_type": att.refer_type,
            "keep_original_sound": "yes" if att.keep_original_sound else "no",
        }
    ]


def _kling(sb: Storyboard, t: Target, refs: Mapping[str, Any], o: BodyOptions) -> dict[str, Any]:
    as_images = [s for s, v in refs.items() if isinstance(v, ElementAsImage)]
    lay = plan_layout(sb, "kling", elements_as_images=as_images)
    st = sb.settings
    shots = _shots(sb, lay.tokens)
    body: dict[str, Any] = {"model_name": MODEL_NAMES[t.model], "multi_shot": st.multi_shot}
    if st.multi_shot:
        body["shot_type"] = "customize"
        body["multi_prompt"] = [
            {"index": i, "prompt": p, "duration": str(d)} for i, (p, d) in enumerate(shots, start=1)
        ]
    else:
        body["prompt"] = shots[0][0]
    body["mode"] = st.mode
    base_video = _base_video(sb, lay)
    if not base_video:  # a base video sets the frame
        body["aspect_ratio"] = st.aspect_ratio
    if st.multi_shot or not base_video:  # a single-shot base-video edit ignores duration
        body["duration"] = str(sum(d for _, d in shots))
    if lay.images:
        items = []
        for slot, role in lay.images:
            ref = refs[slot]
            item: dict[str, str] = {
                "image_url": ref.url if isinstance(ref, ElementAsImage) else ref
            }
            if role in ("first_frame", "end_frame"):
                item["type"] = role
            items.append(item)
        body["image_list"] = items
    if lay.elements:
        body["element_list"] = [{"element_id": element_id(refs[s])} for s in lay.elements]
    if lay.video:
        body["video_list"] = _video_list(sb, lay.video, refs)
    if st.audio and t.model == "v3":
        # default is off; sent only when on, as in the vendor's documented example
        body["sound"] = "on"
    if o.watermark is not None:
        body["watermark_info"] = {"enabled": o.watermark}
    if o.callback_url is not None:
        body["callback_url"] = o.callback_url
    if o.external_task_id is not None:
        body["external_task_id"] = o.external_task_id
    return body


def _apimart(sb: Storyboard, t: Target, refs: Mapping[str, Any], o: BodyOptions) -> dict[str, Any]:
    if any(slot_kind(s) == "element" for s in sb.attachments):
        raise BodyError("elements are not offered on APIMart")
    lay = plan_layout(sb, "apimart")
    st = sb.settings
    shots = _shots(sb, lay.tokens)
    total = sum(d for _, d in shots)
    if st.multi_shot:
        main = render_tokens(st.prompt, lay.tokens).strip()
        prompt = main or APIMART_SHOT_JOINER.join(p.strip() for p, _ in shots)
    else:
        prompt = shots[0][0]
    body: dict[str, Any] = {"model": MODEL_NAMES[t.model], "prompt": prompt, "mode": st.mode}
    base_video = _base_video(sb, lay)
    if not base_video:  # the base video sets the frame (and, for a single shot, the length)
        body["aspect_ratio"] = st.aspect_ratio
    if st.multi_shot or not base_video:
        body["duration"] = total
    if st.multi_shot:
        body["multi_shot"] = True
        body["shot_type"] = "customize"
        body["multi_prompt"] = [
            {"index": i, "prompt": p, "duration": d} for i, (p, d) in enumerate(shots, start=1)
        ]
    if st.negative_prompt:
        body["negative_prompt"] = st.negative_prompt
    if any(role != "reference" for _, role in lay.images):
        body["image_with_roles"] = [
            {"url": refs[s], "role": APIMART_ROLES[r]} for s, r in lay.images
        ]
    elif lay.images:
        body["image_urls"] = [refs[s] for s, _ in lay.images]
    if lay.video:
        body["video_list"] = _video_list(sb, lay.video, refs)
    if t.model == "v3":
        body["audio"] = bool(st.audio)
    if o.watermark is not None:
        body["watermark"] = o.watermark
    return body


def _animatic(sb: Storyboard, t: Target, refs: Mapping[str, Any], o: BodyOptions) -> dict[str, Any]:
    shots = []
    start = 0
    for i, (_, _, s) in enumerate(sb.effective_shots(), start=1):
        secs = _seconds(s.duration)
        visual = next(
            (
                m
                for m in find_tokens(s.prompt)
                if m in sb.attachments and slot_kind(m) in ("image", "element")
            ),
            None,
        )
        shots.append(
            {
                "index": i,
                "prompt": render_tokens(s.prompt, {}),
                "start": start,
                "duration": secs,
                "visual": visual,
                "visual_ref": refs.get(visual) if visual else None,
            }
        )
        start += secs
    return {
        "dialect": "animatic",
        "model": t.model,
        "aspect_ratio": sb.settings.aspect_ratio,
        "total_seconds": start,
        "shots": shots,
    }


_BUILDERS = {
    "useapi": _useapi,
    "kling": _kling,
    "cometapi": _kling,
    "apimart": _apimart,
    "animatic": _animatic,
}
