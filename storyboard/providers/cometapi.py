"""CometAPI (providers.md C): the official body under /kling/v1/..., a gateway error shape of its
own, and two documented poll answer shapes. No element-creation route: elements without a
CometAPI id go as their frontal image (the rules' ElementAsImage)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Failure, ProviderError, TaskState, TaskStatus
from .kling import KlingProvider, parse_official

WRAPPED_STATES = {"SUCCESS": "succeed", "FAILURE": "failed", "FAILED": "failed",
                  "IN_PROGRESS": "processing", "PROCESSING": "processing",
                  "SUBMITTED": "submitted", "NOT_START": "submitted", "QUEUED": "submitted"}


class CometapiProvider(KlingProvider):
    dialect = "cometapi"
    default_base_url = "https://api.cometapi.com"
    credential_fields = ("api_key",)
    has_elements = False
    path_prefix = "/kling"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.account.credentials.get('api_key', '')}"}

    def _error_body(self, data: Mapping[str, Any]) -> Mapping[str, Any]:
        error = data.get("error")
        if isinstance(error, dict):  # gateway shape {"error": {message, type, param, code}}
            nested = data.get("data")
            if isinstance(nested, dict) and isinstance(nested.get("code"), int):
                return nested  # an upstream Kling code passed through
            return {"message": error.get("message") or error.get("type") or "",
                    "code": error.get("code")}
        return data

    def error_from(self, status, data, retry_after) -> ProviderError:
        error = super().error_from(status, data, retry_after)
        if not isinstance(error.code, int) or error.code < 1000:
            # Gateway errors: 400/401/403 permanent; 429 and 5xx (incl. 524) transient.
            error.retryable = status == 429 or status >= 500
        return error

    def parse_task(self, task_id: str, data: Mapping[str, Any]) -> TaskStatus:
        payload = data.get("data") or {}
        if "task_status" in payload:
            return parse_official(task_id, payload, data)
        # The wrapped form: data.status SUCCESS/FAILURE, data.progress, data.data.task_result.
        inner = payload.get("data") or {}
        status = WRAPPED_STATES.get(str(payload.get("status") or "").upper(), "")
        merged = {**inner, "task_status": inner.get("task_status") or status}
        if not merged.get("task_status_msg") and payload.get("fail_reason"):
            merged["task_status_msg"] = payload["fail_reason"]
        parsed = parse_official(task_id, merged, data)
        progress = _percent(payload.get("progress"))
        if parsed.state in (TaskState.QUEUED, TaskState.RUNNING) and progress is not None:
            return TaskStatus(task_id, parsed.state, progress=progress, raw=data)
        return parsed

    def create_element(self, spec):
        raise ProviderError(Failure.REJECTED, "CometAPI has no element-creation route: the "
                            "element's frontal image is sent as a reference instead",
                            retryable=False)

    def test_connection(self) -> str:
        # No documented list route: an unknown task id answers "not found" only when the key
        # was accepted.
        try:
            self._call("GET", "/v1/videos/omni-video/storyboard-connection-test")
        except ProviderError as error:
            if error.kind != Failure.NOT_FOUND:
                raise
        return "Connected to CometAPI: the key was accepted."


def _percent(value: Any) -> int | None:
    try:
        return max(0, min(100, int(str(value).rstrip("%"))))
    except (TypeError, ValueError):
        return None
