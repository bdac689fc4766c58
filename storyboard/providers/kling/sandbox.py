"""Kling's official developer API (docs/providers.md, kling): omni-video tasks and the element
library.

Every answer is the envelope ``{"code", "message", "request_id", "data"}``; refusals carry the
documented code (1201 invalid parameter, 1301 content security, 1303 concurrency, ...) and the
HTTP status of the code table.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from storyboard.providers.kling import sandbox_auth as kling_auth
from storyboard.providers.kling import sandbox_official as official
from storyboard.providers.sandbox import callbacks
from storyboard.providers.sandbox.common import (
    answer_late,
    check_range,
    is_http_url,
    loose_int,
    pause,
    route,
    want_choice,
    want_str,
)
from storyboard.providers.sandbox.faults import download_fault_counts, find_keywords
from storyboard.providers.sandbox.state import SandboxState, Status, Task
from storyboard.providers.sandbox.web import ApiError, Request, Response, json_response

DEFAULT_CODES = {
    400: 1201,
    401: 1002,
    404: 1203,
    405: 1202,
    413: 1200,
    415: 1200,
    429: 1302,
    500: 5000,
    503: 5001,
}
TAG_IDS = ("o_102", "o_103", "o_104", "o_105", "o_106", "o_107", "o_108")
Refusals = dict[str, Callable[[SandboxState], ApiError]]


def envelope(data: Any) -> Response:
    request_id = uuid.uuid4().hex
    return json_response({"code": 0, "message": "SUCCEED", "request_id": request_id, "data": data})


def render_error(err: ApiError) -> Response:
    code = err.code if isinstance(err.code, int) else DEFAULT_CODES.get(err.status, 5000)
    body = {"code": code, "message": err.message, "request_id": uuid.uuid4().hex, "data": None}
    return json_response(body, err.status, err.headers)


def _retry_after(state: SandboxState) -> dict[str, str]:
    return {"Retry-After": str(state.config.retry_after)}


KLING_REFUSALS: Refusals = {
    "429": lambda s: ApiError(
        429, "concurrency exceeds the resource pack limit", code=1303, headers=_retry_after(s)
    ),
    "5xx": lambda s: ApiError(500, "internal error (sandbox fault, retry)", code=5000),
    "moderation": lambda s: ApiError(400, "Failure to pass the risk control system", code=1301),
    "credits": lambda s: ApiError(429, "resource pack exhausted or expired", code=1102),
}


def authenticate(req: Request, state: SandboxState) -> None:
    kling_auth.authenticate(req, state.config.credentials["kling"], state.config.jwt_leeway)


def create_official(
    req: Request, state: SandboxState, dialect: str, library: str, refusals: Refusals
) -> Task:
    """Create a kling or cometapi omni-video task (both speak the official body)."""
    body = req.json(state.config.max_json_bytes)
    texts = [body.get("prompt") or ""]
    items = body.get("multi_prompt")
    if isinstance(items, list):
        texts += [str(i.get("prompt") or "") for i in items if isinstance(i, dict)]
    faults, refuse = state.faults.for_create(dialect, [t for t in texts if isinstance(t, str)])
    pause(state, faults)
    if refuse in ("429", "5xx"):
        raise refusals[refuse](state)
    try:
        plan, facts = official.validate(state, body, library)
    except ApiError as err:
        # every refusal of the body is Kling's "invalid parameter", whoever relays it
        err.code = 1201 if err.code is None else err.code
        raise
    if refuse is not None:
        raise refusals[refuse](state)
    ext = facts["external_task_id"]
    seq = state.next_seq()
    base = 790_000_000_000_000_000 if dialect == "kling" else 810_000_000_000_000_000
    task = Task(dialect, str(base + seq), seq, req.root_url, faults, plan, body, ext)
    task.info["mode"] = facts["mode"]
    task.info["download_faults"] = download_fault_counts(
        faults, [t for t in texts if isinstance(t, str)])
    with state.lock:  # check and insert under one lock: two racing creates, one winner
        if ext is not None and (dialect, ext) in state.external:
            # the official docs: external_task_id must be unique within the account
            raise ApiError(
                400, f"external_task_id {ext} already exists", code=1201, param="external_task_id"
            )
        limit = state.config.max_jobs
        if limit is not None and state.active_count(dialect) >= limit:
            raise refusals["429"](state)
        if not faults & {"fail", "moderation-task", "moderation", "cancel"}:
            state.start_render(task, "clean", None)
            if facts["watermark"]:
                state.start_render(task, "watermarked", "SANDBOX")
        state.add_task(task)
    answer_late(state, faults)
    return task


def _final_refusal(task: Task, status: Status) -> ApiError | None:
    if status.final and "poll404" in task.faults:
        return ApiError(404, f"task {task.id} not found", code=1203)
    return None


def poll_task(req: Request, state: SandboxState, dialect: str, task_id: str) -> tuple[Task, Status]:
    task = state.find_task(dialect, task_id)
    if task is None or task.plan is None:
        raise ApiError(404, f"task {task_id} not found", code=1203)
    pause(state, task.faults)
    with state.lock:
        task.polls += 1
        first = task.polls == 1
    if first and "poll5xx" in task.faults:
        raise ApiError(503, "service temporarily unavailable (sandbox fault, retry)", code=5001)
    status = task.status(state.config.delay)
    refusal = _final_refusal(task, status)
    if refusal is not None:
        raise refusal
    return task, status


def callback_payload(state: SandboxState) -> callbacks.PayloadFn:
    def payload(task: Task, status: Status) -> dict[str, Any] | None:
        if _final_refusal(task, status) is not None:
            return None
        return official.task_data(task, status, state)

    return payload


def create(req: Request, state: SandboxState) -> Response:
    authenticate(req, state)
    task = create_official(req, state, "kling", "kling", KLING_REFUSALS)
    if "callback_url" in task.body:
        callbacks.start(state, task, task.body["callback_url"], callback_payload(state))
    return envelope(official.task_data(task, task.status(state.config.delay), state))


def poll(req: Request, state: SandboxState, task_id: str) -> Response:
    authenticate(req, state)
    task, status = poll_task(req, state, "kling", task_id)
    return envelope(official.task_data(task, status, state))


def list_tasks(req: Request, state: SandboxState) -> Response:
    authenticate(req, state)
    page = check_range(loose_int(req.query.get("pageNum", "1"), "pageNum"), 1, 1000, "pageNum")
    size = check_range(loose_int(req.query.get("pageSize", "30"), "pageSize"), 1, 500, "pageSize")
    with state.lock:
        tasks = [t for (d, _), t in state.tasks.items() if d == "kling" and t.plan is not None]
    tasks.sort(key=lambda t: t.seq, reverse=True)
    delay = state.config.delay
    chunk = tasks[(page - 1) * size : page * size]
    return envelope([official.task_data(t, t.status(delay), state) for t in chunk])


def _element_images(state: SandboxState, body: dict[str, Any]) -> str | None:
    """Check ``element_image_list`` (a frontal image and 1 to 3 more, each an http(s) URL or
    base64) and return how the sandbox keeps the frontal picture."""
    images = body.get("element_image_list")
    refer = images.get("refer_images") if isinstance(images, dict) else None
    if not isinstance(images, dict) or not isinstance(images.get("frontal_image"), str):
        raise ApiError(400, "element_image_list.frontal_image is required", code=1201)
    if (
        not isinstance(refer, list)
        or not 1 <= len(refer) <= 3
        or not all(isinstance(r, dict) and isinstance(r.get("image_url"), str) for r in refer)
    ):
        raise ApiError(400, "element_image_list.refer_images needs 1 to 3 {image_url}", code=1201)
    for n, value in enumerate([images["frontal_image"], *(r["image_url"] for r in refer)]):
        where = "frontal_image" if n == 0 else f"refer_images[{n - 1}].image_url"
        if not is_http_url(value) and state.image_file(value) is None:
            raise ApiError(
                400, f"element_image_list.{where} is neither a URL nor a base64 image", code=1201
            )
    return state.image_ref(images["frontal_image"])


def create_element(req: Request, state: SandboxState) -> Response:
    authenticate(req, state)
    body = req.json(state.config.max_json_bytes)
    name = want_str(body, "element_name", 20, required=True)
    # required and non-empty (docs/providers.md, kling, the official element page)
    description = want_str(body, "element_description", 100, required=True)
    kind = want_choice(body, "reference_type", ("image_refer", "video_refer"), "image_refer")
    frontal = None
    if kind == "image_refer":
        frontal = _element_images(state, body)
    else:
        videos = body.get("element_video_list")
        refer = videos.get("refer_videos") if isinstance(videos, dict) else None
        if (
            not isinstance(refer, list)
            or len(refer) != 1
            or not isinstance(refer[0], dict)
            or not is_http_url(refer[0].get("video_url"))
        ):
            raise ApiError(
                400, "element_video_list.refer_videos needs one {video_url} (an http(s) URL)",
                code=1201,
            )
    tags = body.get("tag_list", [])
    if not isinstance(tags, list) or any(
        not isinstance(t, dict) or t.get("tag_id") not in TAG_IDS for t in tags
    ):
        raise ApiError(
            400, f"tag_list items must be {{tag_id}} with one of {', '.join(TAG_IDS)}", code=1201
        )
    seq = state.next_seq()
    faults = find_keywords([name, description]).names
    task = Task("kling", str(830_000_000_000_000_000 + seq), seq, req.root_url, faults, None, body)
    element_id = 860_000_000_000_000_000 + seq  # an integer, as in every source
    task.info["element"] = {
        "element_id": element_id,
        "element_name": name,
        "element_description": description,
        "reference_type": kind,
        "tag_list": tags,
    }
    state.add_task(task)
    if "fail" not in faults:
        element = {**task.info["element"], "task_id": task.id, "frontal_ref": frontal}
        state.put_element("kling", str(element_id), element)
    return envelope(_element_data(task, task.status(state.config.delay)))


def _element_data(task: Task, status: Status) -> dict[str, Any]:
    data: dict[str, Any] = {
        "task_id": task.id,
        "task_status": status.name,
        "task_status_msg": status.reason,
        "created_at": task.created_ms,
        "updated_at": task.created_ms,
    }
    if status.name == "succeed":
        data["task_result"] = {"elements": [task.info["element"]]}
    return data


def get_element(req: Request, state: SandboxState, task_id: str) -> Response:
    authenticate(req, state)
    task = state.find_task("kling", task_id)
    if task is None:  # the element id works too
        with state.lock:
            task = state.element_tasks.get(task_id)
    if task is None or "element" not in task.info:
        raise ApiError(404, f"element task {task_id} not found", code=1203)
    return envelope(_element_data(task, task.status(state.config.delay)))


def delete_element(req: Request, state: SandboxState) -> Response:
    authenticate(req, state)
    body = req.json(state.config.max_json_bytes)
    element_id = str(body.get("element_id") or "")
    element = state.drop_element("kling", element_id)
    if element is None:
        raise ApiError(404, f"element {element_id or '(none)'} not found", code=1203)
    return envelope({"element_id": element_id, "status": "deleted"})


ROUTES = [
    route("POST", r"/v1/videos/omni-video", create),
    route("GET", r"/v1/videos/omni-video", list_tasks),
    route("GET", r"/v1/videos/omni-video/([^/]+)", poll),
    route("POST", r"/v1/general/advanced-custom-elements", create_element),
    route("GET", r"/v1/general/advanced-custom-elements/([^/]+)", get_element),
    route("POST", r"/v1/general/delete-elements", delete_element),
]
