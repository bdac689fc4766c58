"""The official Kling omni-video body and task answer, shared by ``kling`` and ``cometapi``
(CometAPI passes the official schema through, providers.md B and C)."""

from __future__ import annotations

from typing import Any

from .common import check_range, digit_seconds, is_http_url, want_choice, want_str
from .media import Plan
from .state import SandboxState, Status, Task
from .web import ApiError

MODELS = {"kling-video-o1": "o1", "kling-v3-omni": "v3"}
# credits per second of output by mode, reported as final_unit_deduction
UNITS_PER_SECOND = {"std": 0.6, "pro": 0.8, "4k": 1.6}


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
        if not is_http_url(url) and state.image_file(url) is None:
            raise _bad(
                f"image_list[{i}].image_url is neither a URL nor a base64 image", "image_list"
            )
        role = item.get("type", "reference")
        if role not in ("reference", "first_frame", "end_frame"):
            raise _bad(f"image_list[{i}].type must be first_frame or end_frame", "image_list")
        out.append((role, url))
    roles = [r for r, _ in out]
    if "end_frame" in roles and "first_frame" not in roles:
        raise _bad("an end_frame needs a first_frame", "image_list")
    if multi and "first_frame" in roles and "end_frame" in roles:
        raise _bad("multi_shot does not take start and end frames", "image_list")
    return out


def validate(
    state: SandboxState, body: dict[str, Any], library: str | None
) -> tuple[Plan, dict[str, Any]]:
    """The plan and facts of a valid official create body; ApiError (1201) otherwise.

    ``library``: whose element library ``element_list`` ids must come from (None: accept any,
    CometAPI cannot create elements so its ids cannot be checked here).
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
    elements = body.get("element_list", [])
    if not isinstance(elements, list) or not all(
        isinstance(e, dict) and isinstance(e.get("element_id"), str | int) for e in elements
    ):
        raise _bad("element_list must be a list of {element_id}", "element_list")
    for e in elements:
        if library is not None and not element_ready(state, library, str(e["element_id"])):
            raise _bad(
                f"element_id {e['element_id']} not found in the element library", "element_list"
            )
    videos = body.get("video_list", [])
    if not isinstance(videos, list) or len(videos) > 1:
        raise _bad("video_list takes at most one video", "video_list")
    base = False
    for v in videos:
        if not isinstance(v, dict) or not is_http_url(v.get("video_url")):
            raise _bad("video_list[0].video_url must be an http(s) URL", "video_list")
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
    plan = Plan(
        model=model,
        aspect_ratio=aspect,
        shots=tuple(shots),
        multi_shot=multi and shot_type == "customize",
        images=tuple(
            (f"image_{n}", path)
            for n, (_, url) in enumerate(images, start=1)
            if (path := state.image_file(url)) is not None
        ),
    )
    return plan, {"mode": mode, "watermark": watermark["enabled"], "external_task_id": ext}


def element_ready(state: SandboxState, library: str, element_id: str) -> bool:
    with state.lock:
        element = state.elements.get((library, element_id))
    if element is None:
        return False
    return element["task"].status(state.config.delay).name == "succeed"


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
        video: dict[str, Any] = {
            "id": f"{task.id}-1",
            "url": task.file_url("video.mp4"),
            "duration": f"{clean.duration:g}",
        }
        if task.rendered("watermarked") is not None:
            video["watermark_url"] = task.file_url("watermarked.mp4")
        data["task_result"] = {"videos": [video]}
        units = UNITS_PER_SECOND[task.info["mode"]] * task.plan.total_seconds  # type: ignore[union-attr]
        data["final_unit_deduction"] = f"{units:g}"
    return data
