"""useapi.net Kling v1 (docs/providers.md, useapi): create, poll, clean-master download.

Assets, elements and accounts are in :mod:`.useapi_library`. Errors are ``{"error": "…"}`` with
the HTTP status carrying the meaning (404 on create = not an upload of ours; 500 with a
``CM_EXT`` text = moderation).
"""

from __future__ import annotations

import re
from typing import Any

from storyboard.providers.sandbox import callbacks, links
from storyboard.providers.sandbox.common import (
    answer_late,
    check_range,
    digit_seconds,
    is_http_url,
    loose_int,
    pause,
    route,
    want_choice,
    want_str,
)
from storyboard.providers.sandbox.faults import download_fault_counts
from storyboard.providers.sandbox.media import Plan
from storyboard.providers.sandbox.state import SandboxState, Status, Task
from storyboard.providers.sandbox.web import ApiError, Request, Response, json_response
from storyboard.providers.useapi import sandbox_library as useapi_library
from storyboard.providers.useapi.sandbox_library import authenticate, select_email

PREFIX = "/useapi/v1/kling"
STATUS_CODES = {"submitted": 5, "processing": 10, "succeed": 99, "failed": 50, "cancelled": 50}
MODERATION_ERROR = (
    "Your request was rejected because it may violate the community guidelines. (CM_EXT.POther)"
)
SHOT_KEY = re.compile(r"shot_(\d+)_(prompt|duration)\Z")
SLOT_KEY = re.compile(r"(image|element|video)_(\d+)\Z")


def render_error(err: ApiError) -> Response:
    """useapi's documented error body: ``{"error": "<text>", "code": <HTTP status>}``."""
    return json_response({"error": err.message, "code": err.status}, err.status, err.headers)


def _upload(state: SandboxState, value: object, name: str, kind: str) -> None:
    asset = state.asset_for_url(value)
    if asset is None or not asset.content_type.startswith(kind):
        raise ApiError(
            404,
            f"VALID.ResourceNotFound: {name} must be a URL returned by POST /assets ({value!r})",
        )


def _shots(body: dict[str, Any], version: str, vip: bool) -> tuple[list[tuple[str, int]], bool]:
    numbers = sorted({int(m.group(1)) for k in body if (m := SHOT_KEY.match(k))})
    if not numbers:
        prompt = want_str(body, "prompt", 1700, required=True)
        seconds = digit_seconds(body.get("duration", "5"), "duration")
        check_range(seconds, 3, 10 if version == "o1" else 15, "duration")
        return [(prompt, seconds)], False
    if version != "v3":
        raise ApiError(400, "multi-shot (shot_N_prompt) needs omni_version v3")
    if "prompt" in body or "duration" in body:
        raise ApiError(400, "shot_N_prompt/shot_N_duration cannot be combined with prompt/duration")
    if numbers != list(range(1, len(numbers) + 1)):
        raise ApiError(400, f"shots must be numbered shot_1..shot_N without gaps, got {numbers}")
    if not 2 <= len(numbers) <= 6:
        raise ApiError(400, f"multi-shot needs 2 to 6 shots, got {len(numbers)}")
    shots = []
    for n in numbers:
        prompt = want_str(body, f"shot_{n}_prompt", 512, required=True)
        if f"shot_{n}_duration" not in body:
            raise ApiError(400, f"shot_{n}_duration is required")
        seconds = digit_seconds(body[f"shot_{n}_duration"], f"shot_{n}_duration")
        shots.append((prompt, check_range(seconds, 1, 15, f"shot_{n}_duration")))
    check_range(sum(d for _, d in shots), 3, 15, "total duration of the shots")
    return shots, True


def validate_create(state: SandboxState, body: dict[str, Any]) -> tuple[Plan, int]:
    """The plan and ``count`` of a valid create body; ApiError (400/404) otherwise."""
    vip = state.config.useapi_vip
    version = want_choice(body, "omni_version", ("o1", "v3"), "v3")
    shots, multi = _shots(body, version, vip)
    if sum(d for _, d in shots) >= 7 and not vip:
        raise ApiError(400, "Durations of 7 seconds or more require a VIP Kling plan")
    aspect = want_choice(body, "aspect_ratio", ("16:9", "9:16", "1:1", "auto"), "16:9")
    mode = want_choice(body, "mode", ("std", "pro", "4k"), "std")
    if mode == "4k" and (version != "v3" or not vip):
        raise ApiError(400, "mode 4k needs omni_version v3 and a VIP Kling plan")
    count = check_range(loose_int(body.get("count", 1), "count"), 1, 4, "count")
    if count > 1 and not vip:
        raise ApiError(400, "count above 1 requires a VIP Kling plan")
    if "maxJobs" in body:
        check_range(loose_int(body["maxJobs"], "maxJobs"), 1, 50, "maxJobs")
    if "replyUrl" in body and not is_http_url(body["replyUrl"]):
        raise ApiError(400, "replyUrl must be an http(s) URL")
    images: dict[str, object] = {}  # slot -> upload URL (elements: their cover image)
    elements, video = 0, False
    for key, value in body.items():
        m = SLOT_KEY.match(key)
        if m is None:
            continue
        kind, n = m.group(1), int(m.group(2))
        if not 1 <= n <= (1 if kind == "video" else 7):
            raise ApiError(
                400, f"{key} is not supported ({kind}_1..{kind}_{1 if kind == 'video' else 7})"
            )
        if kind == "element":
            if not isinstance(value, str):
                raise ApiError(400, f"{key} must be an element id string (u_…), got {value!r}")
            with state.lock:
                element = state.elements.get(("useapi", value))
            if element is None:
                raise ApiError(404, f"Element {value} was not found")
            elements += 1
            cover = element.get("coverImage")
            if cover:
                images[key] = cover
        else:
            _upload(state, value, key, "image" if kind == "image" else "video")
            if kind == "image":
                images[key] = value
            video = video or kind == "video"
    for key in ("frame_start", "frame_end"):
        if key in body:
            _upload(state, body[key], key, "image")
    slots = sum(1 for k in images if k.startswith("image_")) + elements
    if video and slots > 4:
        raise ApiError(400, "Video reference supports maximum 4 images")
    if slots > 7:
        raise ApiError(400, "At most 7 images and elements per request")
    plan = Plan(
        model=version,
        aspect_ratio="16:9" if aspect == "auto" else aspect,
        shots=tuple(shots),
        multi_shot=multi,
        images=tuple((slot, ref) for slot, url in images.items() if (ref := state.image_ref(url))),
        title=f"useapi omni {version} (sandbox)",
    )
    return plan, count


def create(req: Request, state: SandboxState) -> Response:
    authenticate(req, state)
    body = req.json(state.config.max_json_bytes, multipart=True)
    email = select_email(req, state, body)
    texts = [v for k, v in body.items() if isinstance(v, str) and "prompt" in k]
    faults, refuse = state.faults.for_create("useapi", texts)
    pause(state, faults)
    if refuse == "429":
        raise ApiError(
            429,
            "All configured Kling accounts are busy (maxJobs reached); retry later",
            headers={"Retry-After": str(state.config.retry_after)},
        )
    if refuse == "5xx":
        raise ApiError(500, "Internal server error (sandbox fault, retry)")
    plan, count = validate_create(state, body)
    if refuse == "moderation":
        raise ApiError(500, MODERATION_ERROR)
    if refuse == "credits":
        raise ApiError(400, "Insufficient credits: the Kling account balance is too low")
    limit = state.config.max_jobs
    if limit is not None and state.active_count("useapi") >= limit:
        raise ApiError(
            429,
            "All configured Kling accounts are at maxJobs capacity",
            headers={"Retry-After": str(state.config.retry_after)},
        )
    seq = state.next_seq()
    task = Task("useapi", str(80_000_000_000 + seq), seq, req.root_url, faults, plan, body)
    task.info.update(email=email, count=count, reply_ref=body.get("replyRef"))
    task.info["works"] = [90_000_000_000 + seq * 10 + i for i in range(count)]
    task.info["download_faults"] = download_fault_counts(faults, texts)
    if not faults & {"fail", "moderation-task", "cancel"}:
        state.start_render(task, "watermarked", "SANDBOX")
        state.start_render(task, "clean", None)
    state.add_task(task)
    if "replyUrl" in body:
        callbacks.start(state, task, str(body["replyUrl"]), _callback_payload(state))
    answer_late(state, faults)
    return json_response(task_answer(task, task.status(state.config.delay), state))


def task_answer(task: Task, status: Status, state: SandboxState) -> dict[str, Any]:
    final = status.final
    model = {
        "id": int(task.id),
        "type": "m2v_omni_video",
        "status": STATUS_CODES[status.name],
        "status_name": "failed" if status.name == "cancelled" else status.name,
        "status_final": final,
        "createTime": task.created_ms,
        "updateTime": task.updated_ms(status, state.config.delay),
        "progress": status.progress,
    }
    works = []
    clean, marked = task.rendered("clean"), task.rendered("watermarked")
    if status.name == "succeed" and clean and marked:
        sig = links.sign(state, task)
        for work in task.info["works"]:
            works.append(
                {
                    "workId": work,
                    "taskId": int(task.id),
                    "type": "m2v_omni_video",
                    "status": 99,
                    "resource": {
                        "resource": task.file_url("watermarked.mp4", sig),
                        "width": marked.width,
                        "height": marked.height,
                        "duration": round(marked.duration * 1000),
                    },
                    "cover": {
                        "resource": task.file_url("cover.png"),
                        "width": marked.width,
                        "height": marked.height,
                    },
                }
            )
    answer = {
        "task": model,
        "works": works,
        "status": model["status"],
        "status_name": model["status_name"],
        "status_final": final,
        "message": status.reason,
        "email": task.info["email"],
    }
    if task.info.get("reply_ref") is not None:
        answer["replyRef"] = task.info["reply_ref"]
    return answer


def _final_refusal(task: Task, status: Status) -> ApiError | None:
    """What a poll answers instead of the task (moderation-task, poll404), once final."""
    if not status.final:
        return None
    if "poll404" in task.faults:
        return ApiError(404, f"Task {task.id} not found")
    if "moderation-task" in task.faults:
        return ApiError(500, MODERATION_ERROR)
    return None


def _callback_payload(state: SandboxState) -> callbacks.PayloadFn:
    def payload(task: Task, status: Status) -> dict[str, Any] | None:
        if _final_refusal(task, status) is not None:
            return None
        return task_answer(task, status, state)

    return payload


def poll(req: Request, state: SandboxState, task_id: str) -> Response:
    authenticate(req, state)
    select_email(req, state)
    task = state.find_task("useapi", task_id)
    if task is None:
        raise ApiError(404, f"Task {task_id} not found")
    pause(state, task.faults)
    with state.lock:
        task.polls += 1
        first = task.polls == 1
    if first and "poll5xx" in task.faults:
        raise ApiError(500, "Internal server error (sandbox fault, retry)")
    status = task.status(state.config.delay)
    refusal = _final_refusal(task, status)
    if refusal is not None:
        raise refusal
    return json_response(task_answer(task, status, state))


def download(req: Request, state: SandboxState) -> Response:
    authenticate(req, state)
    select_email(req, state)
    ids = [x for x in req.query.get("workIds", "").split(",") if x]
    types = [x for x in req.query.get("fileTypes", "MP4").split(",") if x]
    if not ids:
        raise ApiError(400, "workIds is required")
    if len(ids) > 1 or types != ["MP4"]:
        raise ApiError(400, "The sandbox serves one workId with fileTypes=MP4 (no zip archives)")
    with state.lock:
        task = state.works.get(int(ids[0]) if ids[0].isdigit() else -1)
    if task is None or task.status(state.config.delay).name != "succeed":
        raise ApiError(404, f"Work {ids[0]} not found")
    return json_response({"cdnUrl": task.file_url("clean.mp4", links.sign(state, task))})


ROUTES = [
    route("POST", r"/videos/omni", create),
    route("GET", r"/tasks/([^/]+)", poll),
    route("GET", r"/assets/download", download),
    *useapi_library.ROUTES,
]
