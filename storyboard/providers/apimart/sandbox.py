"""APIMart (docs/providers.md, apimart): a flattened schema with integer durations and list-shaped
answers.

The result ``url`` alternates between a string and a list (by task parity, or forced by
``SandboxConfig.apimart_url_form`` or the keywords ``[sandbox:url-list]``/``[sandbox:url-string]``)
so clients are made to accept both.
"""

from __future__ import annotations

import secrets
import string
import time
from typing import Any

from storyboard.providers.sandbox import callbacks, links
from storyboard.providers.sandbox.common import (
    bearer,
    check_range,
    int_value,
    is_http_url,
    pause,
    route,
    want_choice,
    want_str,
)
from storyboard.providers.sandbox.faults import download_fault_counts
from storyboard.providers.sandbox.media import Plan
from storyboard.providers.sandbox.state import SandboxState, Status, Task
from storyboard.providers.sandbox.web import ApiError, Request, Response, json_response

MODELS = {"kling-v3-omni": "v3", "kling-video-o1": "o1"}
STATUS_NAMES = {
    "submitted": "pending",
    "processing": "processing",
    "succeed": "completed",
    "failed": "failed",
    "cancelled": "cancelled",
}
SUBJECTS_FIELD = "elements"  # docs/providers.md, apimart: [unverified] name, as in rules/bodies.py
URL_LIFETIME = 24 * 3600


def render_error(err: ApiError) -> Response:
    kind = {
        401: "authentication_error",
        402: "insufficient_balance",
        404: "not_found",
        429: "rate_limit_error",
    }.get(err.status, "server_error" if err.status >= 500 else "invalid_request_error")
    error = {"code": err.status, "message": err.message, "type": kind}
    if err.param:
        error["param"] = err.param
    return json_response({"error": error}, err.status, err.headers)


def authenticate(req: Request, state: SandboxState) -> None:
    if bearer(req) != state.config.credentials["apimart"]["api_key"]:
        raise ApiError(401, "Invalid API key")


def _bad(message: str, param: str) -> ApiError:
    return ApiError(400, message, param=param)


def _shots(body: dict[str, Any], total: int) -> list[tuple[str, int]] | None:
    multi = body.get("multi_shot", False)
    if not isinstance(multi, bool):
        raise _bad("multi_shot must be a boolean", "multi_shot")
    if (
        not multi
        or want_choice(body, "shot_type", ("customize", "intelligence"), "customize") != "customize"
    ):
        return None
    items = body.get("multi_prompt")
    if not isinstance(items, list) or not 1 <= len(items) <= 6:
        raise _bad("multi_prompt must be a list of 1 to 6 shots", "multi_prompt")
    shots = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or item.get("index") != n:
            raise _bad(f"multi_prompt[{n - 1}].index must be {n}", "multi_prompt")
        prompt = want_str(item, "prompt", 512, required=True)
        seconds = int_value(item.get("duration"), f"multi_prompt[{n - 1}].duration")
        shots.append((prompt, check_range(seconds, 1, 15, f"multi_prompt[{n - 1}].duration")))
    if sum(d for _, d in shots) != total:
        raise _bad(
            f"multi_prompt durations sum to {sum(d for _, d in shots)}, not {total}", "duration"
        )
    return shots


def _references(body: dict[str, Any]) -> tuple[list[str], int, bool]:
    """(reference image URLs, slots used, has video) after the exclusivity and count rules."""
    urls, roles = body.get("image_urls"), body.get("image_with_roles")
    if urls is not None and roles is not None:
        raise _bad("image_urls and image_with_roles are mutually exclusive", "image_urls")
    images: list[str] = []
    if urls is not None:
        if not isinstance(urls, list) or not all(is_http_url(u) for u in urls):
            raise _bad("image_urls must be a list of http(s) URLs", "image_urls")
        images = list(urls)
    if roles is not None:
        if not isinstance(roles, list) or not all(
            isinstance(r, dict)
            and is_http_url(r.get("url"))
            and r.get("role") in ("first_frame", "last_frame", "reference")
            for r in roles
        ):
            raise _bad(
                "image_with_roles items are {url, role: first_frame|last_frame|reference}",
                "image_with_roles",
            )
        kinds = [r["role"] for r in roles]
        if "last_frame" in kinds and "first_frame" not in kinds:
            raise _bad("a last_frame needs a first_frame", "image_with_roles")
        images = [r["url"] for r in roles]
    subjects = body.get(SUBJECTS_FIELD, [])
    if not isinstance(subjects, list) or len(subjects) > 3:
        raise _bad(f"{SUBJECTS_FIELD}: at most 3 subjects", SUBJECTS_FIELD)
    for s in subjects:
        pics = s.get("element_input_urls") if isinstance(s, dict) else None
        if not isinstance(s, dict) or not isinstance(s.get("name"), str) or not s["name"]:
            raise _bad(f"{SUBJECTS_FIELD}: every subject needs a name", SUBJECTS_FIELD)
        if (
            not isinstance(pics, list)
            or not 2 <= len(pics) <= 4
            or not all(is_http_url(u) for u in pics)
        ):
            raise _bad(
                f"subject {s['name']!r}: element_input_urls needs 2 to 4 image URLs", SUBJECTS_FIELD
            )
    videos = body.get("video_list", [])
    if not isinstance(videos, list) or len(videos) > 1:
        raise _bad("video_list takes at most one video", "video_list")
    for v in videos:
        if not isinstance(v, dict) or not is_http_url(v.get("video_url")):
            raise _bad("video_list[0].video_url must be an http(s) URL", "video_list")
        want_choice(v, "refer_type", ("base", "feature"), "base")
        want_choice(v, "keep_original_sound", ("no", "yes"), "no")
    slots = len(images) + len(subjects)
    if videos and slots > 4:
        raise _bad("with a reference video, at most 4 images and subjects", "video_list")
    if slots > 7:
        raise _bad("at most 7 images and subjects", "image_urls")
    return images, slots, bool(videos)


def validate(state: SandboxState, body: dict[str, Any]) -> Plan:
    model = MODELS[want_choice(body, "model", tuple(MODELS), "kling-v3-omni")]
    prompt = want_str(body, "prompt", 2500, required=True)
    want_str(body, "negative_prompt", 2500)
    modes = ("std", "pro", "4k") if model == "v3" else ("std", "pro")
    want_choice(body, "mode", modes, "std")
    total = int_value(body.get("duration", 5), "duration")
    check_range(total, 3, 15, "duration")
    if model == "o1" and total not in (5, 10):
        raise _bad("kling-video-o1 takes duration 5 or 10", "duration")
    aspect = want_choice(body, "aspect_ratio", ("16:9", "9:16", "1:1"), "16:9")
    for flag in ("watermark", "audio"):
        if flag in body and not isinstance(body[flag], bool):
            raise _bad(f"{flag} must be a boolean", flag)
    if "webhook" in body and not is_http_url(body["webhook"]):
        raise _bad("webhook must be an http(s) URL", "webhook")
    images, _, _ = _references(body)
    shots = _shots(body, total)
    return Plan(
        model=model,
        aspect_ratio=aspect,
        shots=tuple(shots or [(prompt, total)]),
        multi_shot=shots is not None,
        images=tuple(
            (f"image_{n}", ref)
            for n, url in enumerate(images, start=1)
            if (ref := state.image_ref(url)) is not None
        ),
        title=f"APIMart {body.get('model') or 'kling-v3-omni'} (sandbox)",
    )


def _refuse(state: SandboxState, fault: str | None) -> None:
    retry = {"Retry-After": str(state.config.retry_after)}
    if fault == "429":
        raise ApiError(429, "Too many requests, please retry later", headers=retry)
    if fault == "5xx":
        raise ApiError(503, "Service temporarily unavailable (sandbox fault, retry)")
    if fault == "credits":
        raise ApiError(402, "Insufficient balance, please top up")


def create(req: Request, state: SandboxState) -> Response:
    authenticate(req, state)
    body = req.json(state.config.max_json_bytes)
    texts: list[str] = [body["prompt"]] if isinstance(body.get("prompt"), str) else []
    if isinstance(body.get("multi_prompt"), list):
        texts += [str(i.get("prompt") or "") for i in body["multi_prompt"] if isinstance(i, dict)]
    faults, refuse = state.faults.for_create("apimart", texts)
    pause(state, faults)
    if refuse in ("429", "5xx"):
        _refuse(state, refuse)
    plan = validate(state, body)
    _refuse(state, refuse)  # credits; moderation is a failed task at APIMart
    limit = state.config.max_jobs
    if limit is not None and state.active_count("apimart") >= limit:
        _refuse(state, "429")
    seq = state.next_seq()
    alphabet = string.ascii_letters + string.digits
    task_id = "task_" + "".join(secrets.choice(alphabet) for _ in range(24))
    task = Task("apimart", task_id, seq, req.root_url, faults, plan, body)
    task.info["download_faults"] = download_fault_counts(faults, texts)
    if not faults & {"fail", "moderation", "moderation-task", "cancel"}:
        state.start_render(task, "video", "SANDBOX" if body.get("watermark") else None)
    state.add_task(task)
    if "webhook" in body:
        url = str(body["webhook"]).rstrip("/") + "/callback"
        callbacks.start(state, task, url, lambda t, s: _callback(t, s, state))
    return json_response({"code": 200, "data": [{"status": "submitted", "task_id": task_id}]})


def _url_form(task: Task, state: SandboxState) -> str:
    for form in ("list", "string"):
        if f"url-{form}" in task.faults:
            return form
    if state.config.apimart_url_form != "alternate":
        return state.config.apimart_url_form
    return "list" if task.seq % 2 == 0 else "string"


def answer(task: Task, status: Status, state: SandboxState) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": task.id,
        "status": STATUS_NAMES[status.name],
        "progress": status.progress,
        "created": task.created_ms // 1000,
    }
    rendered = task.rendered("video")
    if status.name == "succeed" and rendered is not None:
        url = task.file_url("video.mp4", links.sign(state, task))
        lifetime = -3600 if "expired" in task.faults else URL_LIFETIME
        data["result"] = {
            "videos": [
                {
                    "url": [url] if _url_form(task, state) == "list" else url,
                    "expires_at": int(time.time()) + lifetime,
                }
            ]
        }
    elif status.name == "failed":
        code = "content_policy_violation" if status.moderation else "generation_failed"
        data["error"] = {"code": code, "message": status.reason}
    return {"code": 200, "data": data}


def _callback(task: Task, status: Status, state: SandboxState) -> dict[str, Any] | None:
    if status.final and "poll404" in task.faults:
        return None  # the task "vanished": nothing more to tell
    return answer(task, status, state)


def poll(req: Request, state: SandboxState, task_id: str) -> Response:
    authenticate(req, state)
    task = state.find_task("apimart", task_id)
    if task is None:
        raise ApiError(404, f"task {task_id} not found")
    pause(state, task.faults)
    with state.lock:
        task.polls += 1
        first = task.polls == 1
    if first and "poll5xx" in task.faults:
        raise ApiError(503, "Service temporarily unavailable (sandbox fault, retry)")
    status = task.status(state.config.delay)
    if status.final and "poll404" in task.faults:
        raise ApiError(404, f"task {task_id} not found")
    return json_response(answer(task, status, state))


ROUTES = [
    route("POST", r"/v1/videos/generations", create),
    route("GET", r"/v1/tasks/([^/]+)", poll),
]
