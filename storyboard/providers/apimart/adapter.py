"""APIMart (docs/providers.md): a flattened schema of its own, media by public URL only
(docs.apimart.ai, Kling v3 Omni generation: `image_urls`, `image_with_roles`, "reference video
list (URL-based)"). No public error table: 402 or an "insufficient balance" text is credits,
429/5xx transient, other 4xx permanent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from storyboard.rules import BodyOptions, Storyboard

from ..base import (
    CredentialField,
    ElementSpec,
    ErrorContext,
    Failure,
    Media,
    Provider,
    ProviderError,
    ResultFile,
    TaskHandle,
    TaskState,
    TaskStatus,
    provider_words,
    retry_after_seconds,
)

STATES = {"pending": TaskState.QUEUED, "submitted": TaskState.QUEUED,
          "processing": TaskState.RUNNING, "completed": TaskState.SUCCEEDED,
          "failed": TaskState.FAILED, "cancelled": TaskState.FAILED}
NEEDS_PUBLIC_URL = (
    "APIMart fetches references by public URL, and this install has none: set "
    "STORYBOARD_PUBLIC_BASE_URL to the address where its media can be reached from the internet."
)
CREDIT_MARKERS = ("insufficient balance", "insufficient quota", "insufficient credit",
                  "余额不足")
MODERATION_MARKERS = ("moderation", "sensitive", "policy", "risk")


class ApimartProvider(Provider):
    dialect = "apimart"
    label = "APIMart"
    default_base_url = "https://api.apimart.ai"
    credentials = (CredentialField("api_key", "API key"),)
    needs_public_media = True
    inline_elements = True  # subjects go inline with their image URLs; no element ids
    # Each result URL comes with an `expires_at` (docs.apimart.ai) and nothing documents a way
    # to have it signed again: an expired link ends the download at once.
    fresh_result_links = False

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.account.credentials.get('api_key', '')}"}

    def callback_options(self, url: str, job_ref: str) -> dict[str, str]:
        # No docs.apimart.ai page documents a webhook field for Kling Omni: none is sent, and
        # APIMart jobs are polled.
        return {}

    def _error(self, response: httpx.Response) -> ProviderError:
        data = self.json_of(response)
        if not isinstance(data, dict):
            data = {"_text": str(data)[:300]}
        error = data.get("error")
        text = provider_words(error.get("message") if isinstance(error, dict) else error,
                              data.get("message"), data.get("_text"))
        status = response.status_code
        words = text or f"HTTP {status} with no explanation."
        common: ErrorContext = {"status": status, "provider_text": text}
        if status == 402 or any(m in text.lower() for m in CREDIT_MARKERS):
            return ProviderError(Failure.CREDITS, words, retryable=False, **common)
        if status in (401, 403):
            return ProviderError(Failure.AUTHENTICATION, words, **common)
        if status == 429:
            return ProviderError(Failure.RATE_LIMITED, words,
                                 retry_after=retry_after_seconds(response, 5.0), **common)
        if status >= 500:
            return ProviderError(Failure.PROVIDER_FAULT, words, **common)
        kind = Failure.NOT_FOUND if status == 404 else Failure.REJECTED
        return ProviderError(kind, words, retryable=False, **common)

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
            raise ProviderError(Failure.PROVIDER_FAULT, "APIMart answered without a task id.",
                                retryable=False, provider_text=str(data)[:300])
        return TaskHandle(str(first["task_id"]), raw=data)

    def get_task(self, task_id: str) -> TaskStatus:
        data = self._call("GET", f"/v1/tasks/{task_id}")
        return parse_task(task_id, data)

    def reference(self, slot: str, media: Media) -> str:
        if not media.public_url:
            raise ProviderError(Failure.REJECTED, NEEDS_PUBLIC_URL, retryable=False)
        return media.public_url

    def inline_element(self, slot: str, spec: ElementSpec) -> dict[str, Any]:
        """A subject described in the body: its name, description and image URLs (frontal
        first)."""
        urls = [self.reference(slot, m) for m in (spec.frontal, *spec.extra) if m]
        return {"name": spec.name, "description": spec.description, "element_input_urls": urls}

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
        reason = provider_words(error.get("message") if isinstance(error, dict) else error
                                ) or f"The task ended as {payload.get('status')}."
        lowered = reason.lower()
        kind = (Failure.MODERATION if any(w in lowered for w in MODERATION_MARKERS) else
                Failure.CREDITS if any(w in lowered for w in CREDIT_MARKERS) else
                Failure.PROVIDER_FAULT)
        return TaskStatus(task_id, state, failure=kind, reason=reason, raw=data)
    return TaskStatus(task_id, state, progress=progress, raw=data)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
