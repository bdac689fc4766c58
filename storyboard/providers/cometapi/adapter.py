"""CometAPI (docs/providers.md): the official body under /kling/v1/..., a gateway error shape of
its own, and two documented poll answer shapes. No element-creation route: elements without a
CometAPI id go as their frontal image (the rules' ElementAsImage).

Lookup by our own id: CometAPI's query page (apidoc.cometapi.com, Omni Query) documents the path
parameter as "Task id returned by the Omni Video endpoint" only. The body passes
external_task_id through with the rest of the official schema, but neither a lookup by it nor
the vendor's uniqueness guard is documented: `idempotent_create` stays False."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..base import (
    CredentialField,
    ElementCreation,
    ElementSpec,
    Failure,
    ProviderError,
    TaskState,
    TaskStatus,
)
from ..kling.adapter import KlingProvider, parse_official

# The one-api family appends its own trace to every gateway message; not the vendor's words.
REQUEST_ID = re.compile(r"\s*\(request id: [^)]*\)", re.I)
# The gateway's own refusal when the key's balance is spent (HTTP 403; the one-api/new-api
# family's code and wording): {"error": {"message": "insufficient user quota", ...,
# "code": "insufficient_user_quota"}}
QUOTA_MARKERS = ("insufficient_user_quota", "insufficient user quota", "insufficient quota")
WRAPPED_STATES = {"SUCCESS": "succeed", "FAILURE": "failed", "FAILED": "failed",
                  "IN_PROGRESS": "processing", "PROCESSING": "processing",
                  "SUBMITTED": "submitted", "NOT_START": "submitted", "QUEUED": "submitted"}


class CometapiProvider(KlingProvider):
    dialect = "cometapi"
    label = "CometAPI"
    default_base_url = "https://api.cometapi.com"
    credentials = (CredentialField("api_key", "API key"),)
    idempotent_create = False  # see the module docstring
    # Omni Query passes Kling's answer through, links signed anew on each query as there.
    fresh_result_links = True
    has_elements = False
    path_prefix = "/kling"

    @classmethod
    def check_context(cls, account: Any) -> dict[str, Any]:
        # No element-creation route: with an account selected, no element has a CometAPI id,
        # so every element is checked (and sent) as its frontal image.
        return {"element_ids": {cls.dialect: frozenset()}} if account is not None else {}

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.account.credentials.get('api_key', '')}"}

    def _error_body(self, data: Mapping[str, Any]) -> Mapping[str, Any]:
        error = data.get("error")
        if isinstance(error, dict):  # gateway shape {"error": {message, type, param, code}}
            nested = data.get("data")
            if isinstance(nested, dict) and isinstance(nested.get("code"), int):
                return nested  # an upstream Kling code passed through
            text = str(error.get("message") or error.get("type") or "")
            return {"message": REQUEST_ID.sub("", text), "code": error.get("code")}
        return data

    def error_from(self, status: int, data: Mapping[str, Any],
                   retry_after: float | None) -> ProviderError:
        error = super().error_from(status, data, retry_after)
        if not isinstance(error.code, int) or error.code < 1000:
            quota = f"{error.code or ''} {error.provider_text}".lower()
            if any(marker in quota for marker in QUOTA_MARKERS):
                error.kind = Failure.CREDITS
            # Gateway errors: 400/401/403 permanent; 429 and 5xx (incl. 524) transient.
            error.retryable = error.kind != Failure.CREDITS and (status == 429 or status >= 500)
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

    def create_element(self, spec: ElementSpec) -> ElementCreation:
        raise ProviderError(Failure.REJECTED, "CometAPI has no element-creation route: the "
                            "element's frontal image is sent as a reference instead.",
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
