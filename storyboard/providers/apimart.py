"""APIMart (providers.md D): a flattened schema of its own, media by public URL only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from storyboard.rules import BodyOptions, Storyboard

from .base import (
    Failure,
    Media,
    Provider,
    ProviderError,
    ResultFile,
    TaskHandle,
    TaskState,
    TaskStatus,
    retry_after_seconds,
)

STATES = {"pending": TaskState.QUEUED, "submitted": TaskState.QUEUED,
          "processing": TaskState.RUNNING, "completed": TaskState.SUCCEEDED,
          "failed": TaskState.FAILED, "cancelled": TaskState.FAILED}
NEEDS_PUBLIC_URL = (
    "APIMart fetches references by public URL, and this install has none: set "
    "STORYBOARD_PUBLIC_BASE_URL to the address where its media can be reached from the internet"
)


class ApimartProvider(Provider):
    dialect = "apimart"
    default_base_url = "https://api.apimart.ai"
    credential_fields = ("api_key",)
    needs_public_media = True

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.account.credentials.get('api_key', '')}"}

    def callback_options(self, url: str, job_ref: str) -> dict[str, str]:
        return {"webhook": url.rstrip("/")}  # APIMart posts to <webhook>/callback

    def _error(self, response: httpx.Response) -> ProviderError:
        data = self.json_of(response)
        error = data.get("error") if isinstance(data, dict) else None
        text = str((error.get("message") if isinstance(error, dict) else error) or
                   data.get("message") or data.get("_text") or "")
        status = response.status_code
        if status in (401, 403):
            return ProviderError(Failure.AUTHENTICATION, f"APIMart {status}: the key was "
                                 f"refused ({text})", status=status, provider_text=text)
        if status == 402:
            return ProviderError(Failure.CREDITS, f"APIMart {status}: {text}", status=status,
                                 provider_text=text)
        if status == 429:
            return ProviderError(Failure.RATE_LIMITED, f"APIMart 429: {text}",
                                 retry_after=retry_after_seconds(response, 5.0),
                                 status=status, provider_text=text)
        if status >= 500:
            return ProviderError(Failure.PROVIDER_FAULT, f"APIMart {status}: {text}",
                                 status=status, provider_text=text)
        kind = Failure.NOT_FOUND if status == 404 else Failure.REJECTED
        return ProviderError(kind, f"APIMart {status}: {text}", retryable=False, status=status,
                             provider_text=text)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        data = self.json_of(response)
        if response.status_code >= 400 or (isinstance(data, dict) and
                                            data.get("code") not in (None, 200, 0)):
            if response.status_code < 400:  # an error carried in a 200 envelope
                response = httpx.Response(int(data.get("code") or 400), json=data,
                                          request=response.request)
            raise self._error(response)
        return data

    def create_task(self, storyboard: Storyboard, refs: Mapping[str, Any],
                    options: BodyOptions) -> TaskHandle:
        body = self.body(storyboard, refs, options)
        data = self._call("POST", "/v1/videos/generations", json=body)
        items = data.get("data") or []
        first = items[0] if isinstance(items, list) and items else (
            items if isinstance(items, dict) else {})
        if not first.get("task_id"):
            raise ProviderError(Failure.PROVIDER_FAULT, "APIMart gave no task id",
                                retryable=False, provider_text=str(data)[:300])
        return TaskHandle(str(first["task_id"]), raw=data)

    def get_task(self, task_id: str) -> TaskStatus:
        data = self._call("GET", f"/v1/tasks/{task_id}")
        return parse_task(task_id, data)

    def reference(self, slot: str, media: Media) -> str:
        if not media.public_url:
            raise ProviderError(Failure.REJECTED, NEEDS_PUBLIC_URL, retryable=False)
        return media.public_url

    def test_connection(self) -> str:
        try:
            self._call("GET", "/v1/tasks/storyboard-connection-test")
        except ProviderError as error:
            if error.kind not in (Failure.NOT_FOUND, Failure.REJECTED):
                raise
        return "Connected to APIMart: the key was accepted."


def parse_task(task_id: str, data: Mapping[str, Any]) -> TaskStatus:
    payload = data.get("data") or {}
    state = STATES.get(str(payload.get("status") or "").lower(), TaskState.QUEUED)
    progress = payload.get("progress") if isinstance(payload.get("progress"), int) else None
    if state == TaskState.SUCCEEDED:
        files = []
        for video in (payload.get("result") or {}).get("videos") or []:
            urls = video.get("url")
            for url in urls if isinstance(urls, list) else [urls]:  # string or list: both seen
                if url:
                    files.append(ResultFile(url=str(url), watermarked=False,
                                            expires_at=_number(video.get("expires_at"))))
        return TaskStatus(task_id, state, progress=100, results=tuple(files), raw=data)
    if state == TaskState.FAILED:
        error = payload.get("error")
        reason = str((error.get("message") if isinstance(error, dict) else error) or
                     f"the task ended as {payload.get('status')}")
        kind = (Failure.MODERATION if any(w in reason.lower() for w in
                                          ("moderation", "sensitive", "policy", "risk"))
                else Failure.PROVIDER_FAULT)
        return TaskStatus(task_id, state, failure=kind, reason=reason, raw=data)
    return TaskStatus(task_id, state, progress=progress, raw=data)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
