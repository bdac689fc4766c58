"""Kling's official developer API (docs/providers.md). Errors are decided by the envelope's
`code`, not by HTTP status: several 429s are permanent account problems.

Media rules (official omni-video docs, as copied in WHQ25/rawgenai docs/research/kling/
omni-video-o1.md): images go as a URL or raw base64 (no `data:` prefix), a file of at most
10 MB; videos go by URL only ("参考视频，通过URL方式获取"). Element ids are int64 ("element_id":
long) in every source; our caches keep them as strings."""

from __future__ import annotations

import base64
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from storyboard.rules import BodyOptions, Storyboard

from .. import jwt_tokens
from ..base import (
    CredentialField,
    ElementCreation,
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
# The answers to a create that names a missing element or a reused external_task_id (code 1201;
# the wording is the sandbox's and the contract's, as the vendor documents only the code).
MISSING_ELEMENT = re.compile(r"\belement_id\s+(\S+)\s+does not exist", re.I)
DUPLICATE_EXTERNAL_ID = re.compile(r"\bexternal_task_id\b.*\balready exists", re.I)
# Image files sent as base64: at most 10 MB (official docs, image_list and element images).
BASE64_IMAGE_LIMIT = 10 * 1024 * 1024
ELEMENT_NAME_LIMIT = 20
ELEMENT_DESCRIPTION_LIMIT = 100


def mint_jwt(access_key: str, secret_key: str, now: float) -> str:
    return jwt_tokens.mint(access_key, secret_key, now=now, ttl=TOKEN_LIFETIME, nbf=-CLOCK_SKEW)


class KlingProvider(Provider):
    dialect = "kling"
    label = "Kling (official API)"
    default_base_url = "https://api-singapore.klingai.com"
    credentials: tuple[CredentialField, ...] = (CredentialField("access_key", "Access key"),
                                                CredentialField("secret_key", "Secret key"))
    has_external_task_id = True
    # "external_task_id: custom task id, unique within the account" (official docs): a second
    # create with our job id is refused, so re-sending a create after a lost answer is safe.
    idempotent_create = True
    has_elements = True
    # The task query answers with CDN links signed for a limited time (`ksSecret`/`ksTime` in
    # the query string of published answers); each query signs them anew, while the files stay
    # for 30 days (official docs: "videos are cleared after 30 days").
    fresh_result_links = True
    clock_stamped_tokens = True  # JWTs minted here (jwt_tokens.py): nbf 5 s back, exp 30 min on
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
    def error_from(self, status: int, data: Mapping[str, Any],
                   retry_after: float | None) -> ProviderError:
        code = data.get("code")
        text = provider_words(data.get("message"), data.get("_text"))
        common: ErrorContext = {"status": status, "code": code, "provider_text": text}
        if isinstance(code, int) and code in ERROR_CODES:
            kind, retryable, meaning = ERROR_CODES[code]
            missing = MISSING_ELEMENT.search(text) if code == 1201 else None
            return ProviderError(kind, text or f"Error {code}: {meaning}.",
                                 retryable=retryable,
                                 retry_after=retry_after if kind == Failure.RATE_LIMITED
                                 else None,
                                 missing_elements=(missing.group(1),) if missing else (),
                                 **common)
        words = text or f"HTTP {status} with no explanation."
        if status >= 500 or status == 429:
            kind = Failure.RATE_LIMITED if status == 429 else Failure.PROVIDER_FAULT
            return ProviderError(kind, words, retryable=True, retry_after=retry_after,
                                 **common)
        if status in (401, 403):
            return ProviderError(Failure.AUTHENTICATION, words, **common)
        return ProviderError(Failure.REJECTED if status != 404 else Failure.NOT_FOUND,
                             words, retryable=False, **common)

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
        try:
            data = self._call("POST", "/v1/videos/omni-video", json=body)
        except ProviderError as error:
            external = body.get("external_task_id")
            if not (external and error.code == 1201 and
                    DUPLICATE_EXTERNAL_ID.search(error.provider_text)):
                raise
            # The first create arrived (its answer was lost): that task is this job's.
            found = self.find_task(str(external))
            if found is None:
                raise
            return TaskHandle(found.task_id, external_task_id=str(external), raw=found.raw)
        task = data.get("data") or {}
        if not task.get("task_id"):
            raise ProviderError(Failure.PROVIDER_FAULT, f"{self.label} answered without a "
                                "task id.", retryable=False, provider_text=str(data)[:300])
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
        if slot.startswith("video") or media.content_type.startswith("video/"):
            raise ProviderError(Failure.REJECTED, needs_public_url(self.label, slot),
                                retryable=False)
        size = os.path.getsize(media.path)
        if size > BASE64_IMAGE_LIMIT:
            raise ProviderError(Failure.REJECTED, (
                f"{slot}: the image is {size / 1048576:.1f} MB; {self.label} takes at most "
                f"{BASE64_IMAGE_LIMIT // 1048576} MB. Use a smaller image, or set "
                "STORYBOARD_PUBLIC_BASE_URL so the vendor fetches it by URL."), retryable=False)
        with open(media.path, "rb") as handle:
            return base64.b64encode(handle.read()).decode()  # no data: prefix (official docs)

    def create_element(self, spec: ElementSpec) -> ElementCreation:
        notes: list[str] = []
        description = spec.description.strip()
        if not description:
            # element_description is required and may not be empty (official element docs).
            description = spec.name
            notes.append(f"{spec.name!r} has no description; {self.label} requires one, so "
                         "its name was sent as the description.")
        body: dict[str, Any] = {"element_name": spec.name[:ELEMENT_NAME_LIMIT],
                                "element_description": description[:ELEMENT_DESCRIPTION_LIMIT]}
        if spec.video is not None:
            body["reference_type"] = "video_refer"
            body["element_video_list"] = {"refer_videos": [
                {"video_url": self.reference("video", spec.video)}]}
        else:
            if spec.frontal is None:
                raise ProviderError(Failure.REJECTED, "An image element needs a frontal image.",
                                    retryable=False)
            body["reference_type"] = "image_refer"
            # The API wants 1–3 extra views; an element with none repeats its frontal image.
            extras = spec.extra[:3] or (spec.frontal,)
            body["element_image_list"] = {
                "frontal_image": self.reference("image", spec.frontal),
                "refer_images": [{"image_url": self.reference("image", m)} for m in extras],
            }
        voice = voice_field(spec)
        if voice:
            body["element_voice_id"] = voice
        elif spec.voice_id or spec.voice_clip is not None:
            notes.append(f"The voice of {spec.name!r} was left out: {self.label} binds a voice "
                         "id to video elements only.")
        if spec.tag in TAG_IDS:
            body["tag_list"] = [{"tag_id": TAG_IDS[spec.tag]}]
        data = self._call("POST", "/v1/general/advanced-custom-elements", json=body)
        task_id = (data.get("data") or {}).get("task_id")
        if not task_id:
            raise ProviderError(Failure.PROVIDER_FAULT, f"{self.label} answered without an "
                                "element task id.", retryable=False,
                                provider_text=str(data)[:300])
        created = self.element_status(str(task_id))
        return ElementCreation(created.element_id, created.task_id, created.failed,
                               tuple(notes) + created.notes)

    def element_status(self, task_id: str) -> ElementCreation:
        data = self._call("GET", f"/v1/general/advanced-custom-elements/{task_id}")
        payload = data.get("data") or {}
        status = payload.get("task_status")
        elements = (payload.get("task_result") or {}).get("elements") or []
        element_id = elements[0].get("element_id") if elements else None
        if element_id is not None and element_id != "":
            # An int64 in the answer; kept as a string in our caches.
            return ElementCreation(element_id=str(element_id), task_id=task_id)
        if status == "failed":
            return ElementCreation(task_id=task_id, failed=provider_words(
                payload.get("task_status_msg")) or "failed")
        return ElementCreation(task_id=task_id)

    def test_connection(self) -> str:
        self._call("GET", "/v1/videos/omni-video", params={"pageNum": 1, "pageSize": 1})
        return f"Connected to {self.label}: the keys were accepted."


def needs_public_url(label: str, slot: str) -> str:
    return (f"{slot}: {label} takes reference videos by URL only, and this install has no "
            "public media address: set STORYBOARD_PUBLIC_BASE_URL to the address where its "
            "media can be reached from the internet.")


def voice_field(spec: ElementSpec) -> str | None:
    """`element_voice_id` (optional, a voice id from the account's voice library) is bound to
    video elements only: new-api's copy of the element docs ("仅视频定制主体支持绑定") and a
    client calibrated against the live API agree; a TypeScript client says image elements.
    [unverified on the official page itself] A voice clip would first need the custom-voices
    API, which we do not call: it is left out."""
    return spec.voice_id if spec.video is not None and spec.voice_id else None


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
        reason = provider_words(payload.get("task_status_msg")) or "The task failed."
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
