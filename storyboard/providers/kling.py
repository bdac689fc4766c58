"""Kling's official developer API (providers.md B). Errors are decided by the envelope's `code`,
not by HTTP status: several 429s are permanent account problems."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from storyboard.rules import BodyOptions, Storyboard

from . import jwt_tokens
from .base import (
    ElementCreation,
    ElementSpec,
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

TOKEN_LIFETIME = jwt_tokens.TOKEN_LIFETIME
TOKEN_REUSE = 1500  # mint a fresh token after 25 minutes
CLOCK_SKEW = jwt_tokens.CLOCK_SKEW
TAG_IDS = {"character": "o_102", "animal": "o_103", "prop": "o_104", "costume": "o_105",
           "scene": "o_106", "effect": "o_107", "others": "o_108"}

# code -> (kind, retryable, what it means)
ERROR_CODES: dict[int, tuple[Failure, bool, str]] = {
    1000: (Failure.AUTHENTICATION, False, "authentication failed"),
    1001: (Failure.AUTHENTICATION, False, "authorization header empty"),
    1002: (Failure.AUTHENTICATION, False, "authorization header invalid"),
    1003: (Failure.AUTHENTICATION, True, "token not yet valid"),
    1004: (Failure.AUTHENTICATION, True, "token expired"),
    1100: (Failure.CREDITS, False, "account abnormal"),
    1101: (Failure.CREDITS, False, "account in arrears"),
    1102: (Failure.CREDITS, False, "resource pack exhausted or expired"),
    1103: (Failure.AUTHENTICATION, False, "no permission for this API or model"),
    1200: (Failure.REJECTED, False, "invalid request"),
    1201: (Failure.REJECTED, False, "invalid parameter"),
    1202: (Failure.NOT_FOUND, False, "invalid method"),
    1203: (Failure.NOT_FOUND, False, "resource not found"),
    1300: (Failure.MODERATION, False, "platform policy"),
    1301: (Failure.MODERATION, False, "content security"),
    1302: (Failure.RATE_LIMITED, True, "too many requests"),
    1303: (Failure.RATE_LIMITED, True, "concurrency over the resource-pack limit"),
    1304: (Failure.AUTHENTICATION, False, "IP allow-list policy"),
    5000: (Failure.PROVIDER_FAULT, True, "internal error"),
    5001: (Failure.PROVIDER_FAULT, True, "under maintenance"),
    5002: (Failure.PROVIDER_FAULT, True, "timeout"),
}
TOKEN_CODES = {1003, 1004}
MODERATION_WORDS = ("risk", "security", "sensitive", "moderation", "policy")


def mint_jwt(access_key: str, secret_key: str, now: float) -> str:
    return jwt_tokens.mint(access_key, secret_key, now=now, ttl=TOKEN_LIFETIME, nbf=-CLOCK_SKEW)


class KlingProvider(Provider):
    dialect = "kling"
    default_base_url = "https://api-singapore.klingai.com"
    credential_fields = ("access_key", "secret_key")
    has_external_task_id = True
    has_elements = True
    path_prefix = ""

    def callback_options(self, url: str, job_ref: str) -> dict[str, str]:
        return {"callback_url": url}

    def __init__(self, *args: Any, clock: Callable[[], float] = time.time, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.clock = clock
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    # --- auth ----------------------------------------------------------------------------
    def token(self, *, fresh: bool = False) -> str:
        with self._lock:
            now = self.clock()
            if fresh or self._token is None or now - self._token[1] >= TOKEN_REUSE:
                creds = self.account.credentials
                self._token = (mint_jwt(creds.get("access_key", ""),
                                        creds.get("secret_key", ""), now), now)
            return self._token[0]

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    # --- envelope ------------------------------------------------------------------------
    def error_from(self, status: int, data: Mapping[str, Any], retry_after) -> ProviderError:
        code = data.get("code")
        message = str(data.get("message") or data.get("_text") or "")
        if isinstance(code, int) and code in ERROR_CODES:
            kind, retryable, meaning = ERROR_CODES[code]
            return ProviderError(kind, f"{self.dialect} error {code} ({meaning}): {message}",
                                 retryable=retryable, code=code, status=status,
                                 retry_after=retry_after if kind == Failure.RATE_LIMITED
                                 else None, provider_text=message)
        if status >= 500 or status == 429:
            kind = Failure.RATE_LIMITED if status == 429 else Failure.PROVIDER_FAULT
            return ProviderError(kind, f"{self.dialect} HTTP {status}: {message}",
                                 retryable=True, retry_after=retry_after, status=status,
                                 code=code, provider_text=message)
        if status in (401, 403):
            return ProviderError(Failure.AUTHENTICATION, f"{self.dialect} HTTP {status}: "
                                 f"{message}", status=status, code=code, provider_text=message)
        return ProviderError(Failure.REJECTED if status != 404 else Failure.NOT_FOUND,
                             f"{self.dialect} HTTP {status}, code {code}: {message}",
                             retryable=False, status=status, code=code, provider_text=message)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in range(2):
            response = self.request(method, self.path_prefix + path, **kwargs)
            data = self.json_of(response)
            if not isinstance(data, dict):
                data = {"_text": str(data)[:300]}
            code = data.get("code")
            # Official answers carry an integer code, 0 on success; gateways may add their own
            # string codes ("success") around an answer that is fine.
            failed_code = isinstance(code, int) and code not in (0, 200)
            if response.status_code < 400 and not failed_code and "error" not in data:
                return data
            error = self.error_from(response.status_code, self._error_body(data),
                                    retry_after_seconds(response, 1.0))
            if error.code in TOKEN_CODES and attempt == 0:
                self.token(fresh=True)  # clock skew or an expired cached token: once more
                continue
            raise error
        raise AssertionError("unreachable")

    def _error_body(self, data: Mapping[str, Any]) -> Mapping[str, Any]:
        return data

    # --- tasks ---------------------------------------------------------------------------
    def create_task(self, storyboard: Storyboard, refs: Mapping[str, Any],
                    options: BodyOptions) -> TaskHandle:
        body = self.body(storyboard, refs, options)
        data = self._call("POST", "/v1/videos/omni-video", json=body)
        task = data.get("data") or {}
        if not task.get("task_id"):
            raise ProviderError(Failure.PROVIDER_FAULT, f"{self.dialect} gave no task id",
                                retryable=False, provider_text=str(data)[:300])
        external = (task.get("task_info") or {}).get("external_task_id")
        return TaskHandle(str(task["task_id"]), external_task_id=external, raw=data)

    def get_task(self, task_id: str) -> TaskStatus:
        return self.parse_task(task_id, self._call("GET", f"/v1/videos/omni-video/{task_id}"))

    def find_task(self, external_task_id: str) -> TaskStatus | None:
        try:
            data = self._call("GET", f"/v1/videos/omni-video/{external_task_id}")
        except ProviderError as error:
            if error.kind == Failure.NOT_FOUND:
                return None
            raise
        payload = data.get("data") or {}
        task_id = str(payload.get("task_id") or (payload.get("data") or {}).get("task_id") or
                      external_task_id)
        return self.parse_task(task_id, data)

    def parse_task(self, task_id: str, data: Mapping[str, Any]) -> TaskStatus:
        return parse_official(task_id, data.get("data") or {}, data)

    # --- media and elements --------------------------------------------------------------
    def reference(self, slot: str, media: Media) -> str:
        if media.public_url:
            return media.public_url
        with open(media.path, "rb") as handle:
            return base64.b64encode(handle.read()).decode()  # no data: prefix (providers.md B)

    def create_element(self, spec: ElementSpec) -> ElementCreation:
        body: dict[str, Any] = {"element_name": spec.name[:20],
                                "element_description": spec.description[:100]}
        if spec.video is not None:
            body["reference_type"] = "video_refer"
            body["element_video_list"] = {"refer_videos": [
                {"video_url": self.reference("video", spec.video)}]}
        else:
            if spec.frontal is None:
                raise ProviderError(Failure.REJECTED, "an image element needs a frontal image",
                                    retryable=False)
            body["reference_type"] = "image_refer"
            # The API wants 1–3 extra views; an element with none repeats its frontal image.
            extras = spec.extra[:3] or (spec.frontal,)
            body["element_image_list"] = {
                "frontal_image": self.reference("image", spec.frontal),
                "refer_images": [{"image_url": self.reference("image", m)} for m in extras],
            }
        if spec.tag in TAG_IDS:
            body["tag_list"] = [{"tag_id": TAG_IDS[spec.tag]}]
        data = self._call("POST", "/v1/general/advanced-custom-elements", json=body)
        task_id = (data.get("data") or {}).get("task_id")
        if not task_id:
            raise ProviderError(Failure.PROVIDER_FAULT, "kling gave no element task id",
                                retryable=False, provider_text=str(data)[:300])
        return self.element_status(str(task_id))

    def element_status(self, task_id: str) -> ElementCreation:
        data = self._call("GET", f"/v1/general/advanced-custom-elements/{task_id}")
        payload = data.get("data") or {}
        status = payload.get("task_status")
        elements = (payload.get("task_result") or {}).get("elements") or []
        if elements and elements[0].get("element_id"):
            return ElementCreation(element_id=str(elements[0]["element_id"]), task_id=task_id)
        if status == "failed":
            return ElementCreation(task_id=task_id,
                                   failed=str(payload.get("task_status_msg") or "failed"))
        return ElementCreation(task_id=task_id)

    def test_connection(self) -> str:
        self._call("GET", "/v1/videos/omni-video", params={"pageNum": 1, "pageSize": 1})
        return f"Connected to {self.dialect}: the keys were accepted."


def parse_official(task_id: str, payload: Mapping[str, Any], raw: Mapping[str, Any]
                   ) -> TaskStatus:
    status = str(payload.get("task_status") or "")
    result = payload.get("task_result") or {}
    credits = _number(payload.get("final_unit_deduction") or result.get("final_unit_deduction"))
    if status == "succeed":
        files = []
        for video in result.get("videos") or []:
            if video.get("url"):
                files.append(ResultFile(url=video["url"], watermarked=False,
                                        remote_id=str(video.get("id") or "") or None,
                                        duration=_number(video.get("duration"))))
            if video.get("watermark_url"):
                files.append(ResultFile(url=video["watermark_url"], watermarked=True,
                                        duration=_number(video.get("duration"))))
        return TaskStatus(task_id, TaskState.SUCCEEDED, progress=100, results=tuple(files),
                          credits=credits, raw=raw)
    if status == "failed":
        reason = str(payload.get("task_status_msg") or "the task failed")
        kind = (Failure.MODERATION if any(w in reason.lower() for w in MODERATION_WORDS)
                else Failure.PROVIDER_FAULT)
        return TaskStatus(task_id, TaskState.FAILED, failure=kind, reason=reason,
                          credits=credits, raw=raw)
    state = TaskState.RUNNING if status == "processing" else TaskState.QUEUED
    return TaskStatus(task_id, state, raw=raw)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
