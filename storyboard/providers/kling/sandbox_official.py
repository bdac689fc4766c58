"""The official Kling omni-video body and task answer, shared by ``kling`` and ``cometapi``
(CometAPI passes the official schema through, docs/providers.md, kling and cometapi).

Every rule below is the vendor's, checked as strictly as the vendor does, types included;
a refusal is HTTP 400 with code 1201 (invalid parameter) naming the field. Sources: the official
omni-video page as copied in ``WHQ25/rawgenai`` ``docs/research/kling/omni-video-o1.md``
(``element_id`` is a long; videos by URL only, 3–10 s, at most one; images ≤ 10 MB, ≥ 300 px,
1:2.5–2.5:1, at most 7 — 4 with a video; no end frame beside more than 2 images; durations are
strings, text/first-frame o1 only 5 or 10; ``aspect_ratio`` required unless a first frame or a
base video sets it), CometAPI's copy of the same page (apidoc.cometapi.com, omni-video) and
ComfyUI's models in ``comfy_api_nodes/apis/kling_api.py`` (multi_prompt of 1–6 shots whose
durations sum to ``duration``).
"""

from __future__ import annotations

from typing import Any

from storyboard.providers.sandbox import links
from storyboard.providers.sandbox.common import (
    check_range,
    digit_seconds,
    is_http_url,
    want_choice,
    want_str,
)
from storyboard.providers.sandbox.media import Plan, image_size
from storyboard.providers.sandbox.references import decode_base64_image
from storyboard.providers.sandbox.state import SandboxState, Status, Task
from storyboard.providers.sandbox.web import ApiError

MODELS = {"kling-video-o1": "o1", "kling-v3-omni": "v3"}
# credits per second of output by mode, reported as final_unit_deduction
UNITS_PER_SECOND = {"std": 0.6, "pro": 0.8, "4k": 1.6}
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MIN_SIDE = 300
IMAGE_MAX_RATIO = 2.5
INT64_MAX = 2**63 - 1


def _bad(message: str, param: str | None = None) -> ApiError:
    return ApiError(400, message, code=1201, param=param)


def _multi_prompt(body: dict[str, Any], total: int | None) -> list[tuple[str, int]]:
    items = body.get("multi_prompt")
    if not isinstance(items, list) or not 1 <= len(items) <= 6:
        raise _bad("multi_prompt must be a list of 1 to 6 shots", "multi_prompt")
    shots = []
    for n, item in enumerate(items, start=1):
        where = f"multi_prompt[{n - 1}]"
        if not isinstance(item, dict):
            raise _bad(f"{where} must be an object", where)
        if item.get("index") != n:
            raise _bad(f"{where}.index must be {n} (1-based, in order)", where)
        prompt = want_str(item, "prompt", 512, required=True)
        seconds = check_range(
            digit_seconds(item.get("duration"), f"{where}.duration"), 1, 15, f"{where}.duration"
        )
        shots.append((prompt, seconds))
    if total is not None and sum(d for _, d in shots) != total:
        raise _bad(
            f"the multi_prompt durations sum to {sum(d for _, d in shots)}, "
            f"but duration is {total}",
            "duration",
        )
    return shots


def _images(state: SandboxState, body: dict[str, Any], multi: bool) -> list[tuple[str, str]]:
    items = body.get("image_list", [])
    if not isinstance(items, list):
        raise _bad("image_list must be a list", "image_list")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("image_url"), str):
            raise _bad(f"image_list[{i}].image_url is required", "image_list")
        url = item["image_url"]
        if url.startswith("data:"):
            raise _bad(f"image_list[{i}].image_url: base64 without the data: prefix", "image_list")
        if not is_http_url(url):
            _check_base64_image(url, f"image_list[{i}].image_url")
        role = item.get("type", "reference")
        if role not in ("reference", "first_frame", "end_frame"):
            raise _bad(f"image_list[{i}].type must be first_frame or end_frame", "image_list")
        out.append((role, url))
    roles = [r for r, _ in out]
    if "end_frame" in roles and "first_frame" not in roles:
        raise _bad("an end_frame needs a first_frame", "image_list")
    if multi and "first_frame" in roles and "end_frame" in roles:
        raise _bad("multi_shot does not take start and end frames", "image_list")
    if "end_frame" in roles and len(out) > 2:
        raise _bad("an end_frame cannot be set with more than 2 images", "image_list")
    return out


def _check_base64_image(value: str, where: str) -> None:
    decoded = decode_base64_image(value)
    if decoded is None:
        raise _bad(f"{where} is neither an http(s) URL nor a base64 JPEG/PNG", where)
    data, ctype = decoded
    if len(data) > IMAGE_MAX_BYTES:
        raise _bad(f"{where} is {len(data)} bytes; at most 10 MB", where)
    width, height = image_size(data, ctype) or (0, 0)
    if min(width, height) < IMAGE_MIN_SIDE:
        raise _bad(f"{where} is {width}x{height}; each side must be at least 300 px", where)
    if max(width, height) > IMAGE_MAX_RATIO * min(width, height):
        raise _bad(f"{where} is {width}x{height}; the aspect ratio must be 1:2.5 to 2.5:1", where)


def _element_ids(state: SandboxState, body: dict[str, Any], library: str) -> list[str]:
    """The ids of ``element_list``: JSON integers (int64) that exist in ``library`` and are
    ready. A quoted id is refused as the vendor refuses it: our caches keep ids as strings, so
    a body builder that forgets ``int()`` is caught here rather than at Kling."""
    items = body.get("element_list", [])
    if not isinstance(items, list):
        raise _bad('element_list must be a list of {"element_id": <integer>}', "element_list")
    ids = []
    for i, item in enumerate(items):
        value = item.get("element_id") if isinstance(item, dict) else None
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(
                f"element_list[{i}].element_id must be an integer (int64), got {value!r}",
                "element_list",
            )
        if not 0 < value <= INT64_MAX:
            raise _bad(f"element_list[{i}].element_id {value} is not a valid id", "element_list")
        ids.append(str(value))
    for element_id in ids:
        if not element_ready(state, library, element_id):
            raise _bad(f"element_id {element_id} does not exist", "element_list")
    return ids


def validate(
    state: SandboxState, body: dict[str, Any], library: str
) -> tuple[Plan, dict[str, Any]]:
    """The plan and facts of a valid official create body; ApiError (1201) otherwise.

    ``library``: whose element library ``element_list`` ids must come from (CometAPI has no
    element route of its own: its ids are those of the Kling account behind it, which the
    sandbox keeps in the ``kling`` library).
    """
    model = MODELS[want_choice(body, "model_name", tuple(MODELS), "kling-video-o1")]
    multi = body.get("multi_shot", False)
    if not isinstance(multi, bool):
        raise _bad("multi_shot must be true or false", "multi_shot")
    if multi and model != "v3":
        raise _bad("multi_shot needs kling-v3-omni", "multi_shot")
    shot_type = want_choice(body, "shot_type", ("customize", "intelligence"), "customize")
    mode = want_choice(body, "mode", ("std", "pro", "4k"), "pro")
    if mode == "4k" and model != "v3":
        raise _bad("mode 4k needs kling-v3-omni", "mode")
    images = _images(state, body, multi)
    elements = _element_ids(state, body, library)
    videos = body.get("video_list", [])
    if not isinstance(videos, list) or len(videos) > 1:
        raise _bad("video_list takes at most one video", "video_list")
    base = False
    for v in videos:
        if not isinstance(v, dict) or not is_http_url(v.get("video_url")):
            raise _bad(
                "video_list[0].video_url must be an http(s) URL (videos are never taken as "
                "base64)",
                "video_list",
            )
        refer = want_choice(v, "refer_type", ("base", "feature"), "base")
        want_choice(v, "keep_original_sound", ("yes", "no"), "no")
        base = refer == "base"
    sound = want_choice(body, "sound", ("on", "off"), "off")
    if sound == "on" and (videos or model != "v3"):
        raise _bad("sound must be off with a reference video or kling-video-o1", "sound")
    slots = len(images) + len(elements)
    if slots > (4 if videos else 7):
        raise _bad(
            f"{slots} images and elements; at most {4 if videos else 7}"
            + (" with a reference video" if videos else ""),
            "image_list",
        )
    roles = {r for r, _ in images}
    aspect = body.get("aspect_ratio")
    if aspect is None and not ("first_frame" in roles or base):
        raise _bad("aspect_ratio is required", "aspect_ratio")
    aspect = want_choice(body, "aspect_ratio", ("16:9", "9:16", "1:1"), "16:9")
    total = digit_seconds(body.get("duration", "5"), "duration")
    if not (base and not multi):  # a single-shot base-video edit ignores duration
        check_range(total, 3, 10 if model == "o1" else 15, "duration")
        text_or_first = not elements and not videos and roles <= {"first_frame"}
        if model == "o1" and text_or_first and total not in (5, 10):
            raise _bad(
                "kling-video-o1 text-to-video and first-frame take duration 5 or 10", "duration"
            )
    if multi and shot_type == "customize":
        shots = _multi_prompt(body, total)
    else:
        shots = [(want_str(body, "prompt", 2500, required=True), total)]
    watermark = body.get("watermark_info", {"enabled": False})
    if not isinstance(watermark, dict) or not isinstance(watermark.get("enabled"), bool):
        raise _bad('watermark_info must be {"enabled": true|false}', "watermark_info")
    if "callback_url" in body and not is_http_url(body["callback_url"]):
        raise _bad("callback_url must be an http(s) URL", "callback_url")
    ext = body.get("external_task_id")
    if ext is not None and (not isinstance(ext, str) or not 0 < len(ext) <= 128):
        raise _bad("external_task_id must be a string of 1 to 128 characters", "external_task_id")
    pictures = [(f"image_{n}", state.image_ref(url)) for n, (_, url) in enumerate(images, 1)]
    pictures += [
        (f"element_{n}", element_picture(state, library, element_id))
        for n, element_id in enumerate(elements, start=1)
    ]
    plan = Plan(
        model=model,
        aspect_ratio=aspect,
        shots=tuple(shots),
        multi_shot=multi and shot_type == "customize",
        images=tuple((slot, ref) for slot, ref in pictures if ref),
        title=f"{body.get('model_name') or 'kling-video-o1'} (sandbox)",
    )
    return plan, {"mode": mode, "watermark": watermark["enabled"], "external_task_id": ext}


def element_ready(state: SandboxState, library: str, element_id: str) -> bool:
    with state.lock:
        element = state.elements.get((library, element_id))
        task = state.element_tasks.get(element_id)
    if element is None or task is None:
        return False
    return task.status(state.config.delay).name == "succeed"


def element_picture(state: SandboxState, library: str, element_id: str) -> str | None:
    with state.lock:
        element = state.elements.get((library, element_id)) or {}
    return element.get("frontal_ref")


def task_data(task: Task, status: Status, state: SandboxState) -> dict[str, Any]:
    """``data`` of the official poll answer (and the official callback body)."""
    name = "failed" if status.name == "cancelled" else status.name
    data: dict[str, Any] = {
        "task_id": task.id,
        "task_status": name,
        "task_status_msg": status.reason,
        "task_info": {"external_task_id": task.external_task_id},
        "created_at": task.created_ms,
        "updated_at": task.updated_ms(status, state.config.delay),
    }
    clean = task.rendered("clean")
    if name == "succeed" and clean is not None:
        sig = links.sign(state, task)  # each answer signs its links anew (ksSecret/ksTime)
        video: dict[str, Any] = {
            "id": f"{task.id}-1",
            "url": task.file_url("video.mp4", sig),
            "duration": f"{clean.duration:g}",
        }
        if task.rendered("watermarked") is not None:
            video["watermark_url"] = task.file_url("watermarked.mp4", sig)
        data["task_result"] = {"videos": [video]}
        units = UNITS_PER_SECOND[task.info["mode"]] * task.plan.total_seconds  # type: ignore[union-attr]
        data["final_unit_deduction"] = f"{units:g}"
    return data
