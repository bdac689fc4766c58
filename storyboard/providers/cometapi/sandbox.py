"""CometAPI (docs/providers.md, cometapi): the official body under ``/kling/v1/...``, its gateway
errors.

Element ids are checked against the ``kling`` library: CometAPI has no element route, so its
ids are those of the Kling account behind it. Polls answer in the official envelope; with
``SandboxConfig.cometapi_wrapped`` or the prompt
keyword ``[sandbox:wrapped]`` they answer in the wrapped form some CometAPI pages show
(``data.status`` SUCCESS/FAILURE, ``data.progress``, ``data.data.task_result``), which clients must
also accept.
"""

from __future__ import annotations

import uuid
from typing import Any

from storyboard.providers.kling import sandbox as kling
from storyboard.providers.kling import sandbox_official as official
from storyboard.providers.sandbox import callbacks
from storyboard.providers.sandbox.common import bearer, route
from storyboard.providers.sandbox.state import SandboxState, Status, Task
from storyboard.providers.sandbox.web import ApiError, Request, Response, json_response

GATEWAY_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}
WRAPPED_STATUS = {
    "submitted": "SUBMITTED",
    "processing": "IN_PROGRESS",
    "succeed": "SUCCESS",
    "failed": "FAILURE",
    "cancelled": "FAILURE",
}


def render_error(err: ApiError) -> Response:
    """An upstream Kling refusal (an integer code: 1201 invalid parameter, 1301 content
    security...) passes through in the official envelope, as CometAPI relays the official body
    and its answers; the gateway's own refusals (key, quota, rate, unknown route, unreadable
    JSON) come in its ``{"error": {message, type, param, code}}`` shape."""
    if isinstance(err.code, int) and err.code >= 1000:
        body = {
            "code": err.code,
            "message": err.message,
            "request_id": uuid.uuid4().hex,
            "data": None,
        }
        return json_response(body, err.status, err.headers)
    kind = GATEWAY_TYPES.get(err.status)
    if kind is None:
        kind = "upstream_error" if err.status >= 500 else "invalid_request_error"
    error = {
        "message": f"{err.message} (request id: {uuid.uuid4().hex[:20]})",
        "type": kind,
        "param": err.param or "",
        "code": str(err.code) if err.code is not None else kind,
    }
    return json_response({"error": error}, err.status, err.headers)


def _retry_after(state: SandboxState) -> dict[str, str]:
    return {"Retry-After": str(state.config.retry_after)}


REFUSALS: kling.Refusals = {
    "429": lambda s: ApiError(
        429,
        "Too many requests, upstream concurrency limit reached",
        code="rate_limit_exceeded",
        headers=_retry_after(s),
    ),
    "5xx": lambda s: ApiError(
        503, "upstream service unavailable (sandbox fault, retry)", code="service_unavailable"
    ),
    # the upstream Kling code passes through in the official envelope
    "moderation": lambda s: ApiError(400, "Failure to pass the risk control system", code=1301),
    "credits": lambda s: ApiError(403, "insufficient user quota", code="insufficient_user_quota"),
}


def authenticate(req: Request, state: SandboxState) -> None:
    if bearer(req) != state.config.credentials["cometapi"]["api_key"]:
        raise ApiError(401, "Invalid token", code="invalid_api_key")


def _wrapped(task: Task, status: Status, state: SandboxState) -> dict[str, Any]:
    inner = official.task_data(task, status, state)
    done = status.final
    return {
        "task_id": task.id,
        "action": "omni-video",
        "status": WRAPPED_STATUS[status.name],
        "fail_reason": status.reason if status.name in ("failed", "cancelled") else "",
        "submit_time": task.created_ms // 1000,
        "start_time": task.created_ms // 1000,
        "finish_time": task.updated_ms(status, state.config.delay) // 1000 if done else 0,
        "progress": f"{status.progress}%",
        "data": inner,
    }


def answer(task: Task, status: Status, state: SandboxState) -> dict[str, Any]:
    if state.config.cometapi_wrapped or "wrapped" in task.faults:
        return {"code": "success", "message": "", "data": _wrapped(task, status, state)}
    return {
        "code": 0,
        "message": "SUCCEED",
        "request_id": uuid.uuid4().hex,
        "data": official.task_data(task, status, state),
    }


def create(req: Request, state: SandboxState) -> Response:
    authenticate(req, state)
    task = kling.create_official(req, state, "cometapi", "kling", REFUSALS)
    if "callback_url" in task.body:
        callbacks.start(state, task, task.body["callback_url"], kling.callback_payload(state))
    status = task.status(state.config.delay)
    return json_response(
        {
            "code": 0,
            "message": "SUCCEED",
            "request_id": uuid.uuid4().hex,
            "data": official.task_data(task, status, state),
        }
    )


def poll(req: Request, state: SandboxState, task_id: str) -> Response:
    authenticate(req, state)
    task, status = kling.poll_task(req, state, "cometapi", task_id)
    return json_response(answer(task, status, state))


ROUTES = [
    route("POST", r"/kling/v1/videos/omni-video", create),
    route("GET", r"/kling/v1/videos/omni-video/([^/]+)", poll),
]
