"""useapi.net Kling v1: a REST front for a person's own Kling account (docs/providers.md).

Errors: every answer carries `error` (what went wrong) and often a generic `message`
("Internal Server Error"): `error` is read first (useapi docs, and seed 001). Moderation is decided
by the text, not the status: a `CM_EXT…` code or the community-guidelines sentence, on a 500 as
well as in a failed task."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx

from storyboard.rules import BodyOptions, Storyboard

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

MODERATION_MARKERS = ("cm_ext", "community guidelines", "violate")
CREDIT_MARKERS = ("insufficient credits", "not enough credits", "out of credits")
POLL_404 = ("useapi answered 404 for this task: it was deleted, it failed content moderation, "
            "or the Kling account ran out of credits.")
NAME_LIMIT = 15  # useapi appends a 5-character suffix to element names
# useapi's element 404: {"error": "Element <id> was not found", "code": 404}
MISSING_ELEMENT = re.compile(r"\belement\s+(\S+?)\s+was not found", re.I)
# The voice of an element: "character tag only" (useapi docs, POST /elements).
VOICE_TAG = "character"


def is_moderation(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in MODERATION_MARKERS)


def is_out_of_credits(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in CREDIT_MARKERS)


def failure_text(data: Mapping[str, Any]) -> str:
    """The useful words of an answer: `error` when there is one (`message` is generic then,
    e.g. "Internal Server Error"), else `message`."""
    task: Mapping[str, Any] = data["task"] if isinstance(data.get("task"), Mapping) else {}
    errors = provider_words(data.get("error"), task.get("error"))
    return errors or provider_words(data.get("message"), task.get("message"), data.get("_text"))


class UseapiProvider(Provider):
    dialect = "useapi"
    label = "useapi.net"
    default_base_url = "https://api.useapi.net/v1/kling"
    credentials = (
        CredentialField("token", "API token"),
        # Selects one of the token's linked Kling accounts; needed only when it has several.
        CredentialField("email", "Kling account email", required=False, secret=False),
    )
    vip_plan = True
    has_elements = True
    # image_N, frame_*, video_1 are URLs returned by POST /assets; any other URL is answered
    # 404 VALID.ResourceNotFound (useapi docs, docs/providers.md).
    takes_media_urls = False
    # GET /tasks/{id} lists the works' Kling CDN links again, and GET /assets/download hands
    # out a new cdnUrl on every call (useapi docs): a re-poll brings fresh links.
    fresh_result_links = True

    @classmethod
    def check_context(cls, account: Any) -> dict[str, Any]:
        # VIP decides clip lengths, 4K and output counts; unknown unless a useapi account.
        if account is not None and account.dialect == cls.dialect:
            return {"vip": bool(account.vip)}
        return {}

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.account.credentials.get('token', '')}"}

    def callback_options(self, url: str, job_ref: str) -> dict[str, str]:
        return {"reply_url": url, "reply_ref": job_ref}

    @property
    def email(self) -> str | None:
        return self.account.credentials.get("email") or None

    def _params(self, **extra: str) -> dict[str, str]:
        return {**({"email": self.email} if self.email else {}), **extra}

    def _error(self, response: httpx.Response, *, polling: bool = False) -> ProviderError:
        data = self.json_of(response)
        if not isinstance(data, dict):
            data = {"_text": str(data)[:300]}
        text = failure_text(data)
        status = response.status_code
        words = text or f"HTTP {status} with no explanation."
        common: ErrorContext = {"status": status, "provider_text": text}
        if is_moderation(text):
            return ProviderError(Failure.MODERATION, words, retryable=False, **common)
        if status == 402 or is_out_of_credits(text):
            return ProviderError(Failure.CREDITS, words, retryable=False, **common)
        if status == 400:
            return ProviderError(Failure.REJECTED, words, **common)
        if status in (401, 403):
            return ProviderError(Failure.AUTHENTICATION, words, **common)
        if status == 404:
            if polling:
                return ProviderError(Failure.NOT_FOUND, POLL_404, retryable=False, **common)
            missing = MISSING_ELEMENT.search(text)
            if missing:
                return ProviderError(Failure.NOT_FOUND, words, retryable=False,
                                     missing_elements=(missing.group(1),), **common)
            # A 404 on create that names no element: an image or video URL is not (or no
            # longer) a Kling-hosted upload (VALID.ResourceNotFound). Upload again, once.
            return ProviderError(Failure.NOT_FOUND, words, retryable=False,
                                 stale_uploads=True, **common)
        if status == 429:
            return ProviderError(Failure.RATE_LIMITED, text or "Every linked Kling account "
                                 "is at capacity.", retry_after=retry_after_seconds(
                                     response, 10.0), **common)
        return ProviderError(Failure.PROVIDER_FAULT, words, retryable=status >= 500, **common)

    def _call(self, method: str, path: str, *, polling: bool = False, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise self._error(response, polling=polling)
        return self.json_of(response)

    # --- tasks ---------------------------------------------------------------------------
    def create_task(self, storyboard: Storyboard, refs: Mapping[str, Any],
                    options: BodyOptions) -> TaskHandle:
        if self.email and options.email is None:
            options = BodyOptions(**{**options.__dict__, "email": self.email})
        body = self.body(storyboard, refs, options)
        data = self._call("POST", "/videos/omni", json=body)
        task = data.get("task") or {}
        if task.get("id") is None:
            raise ProviderError(Failure.PROVIDER_FAULT, "useapi.net answered without a task id.",
                                retryable=False, provider_text=str(data)[:300])
        return TaskHandle(str(task["id"]), raw=data)

    def get_task(self, task_id: str) -> TaskStatus:
        try:
            data = self._call("GET", f"/tasks/{task_id}", polling=True, params=self._params())
        except ProviderError as error:
            if error.kind in (Failure.NOT_FOUND, Failure.MODERATION):
                return TaskStatus(task_id, TaskState.FAILED, failure=error.kind,
                                  reason=error.message)
            raise
        return parse_task(task_id, data)

    def result_files(self, status: TaskStatus) -> list[ResultFile]:
        """The clean master first when the account's plan allows it, then the watermarked file."""
        files: list[ResultFile] = []
        for work in status.results:
            if work.remote_id:
                try:
                    data = self._call("GET", "/assets/download", params=self._params(
                        workIds=work.remote_id, fileTypes="MP4"))
                except ProviderError as error:
                    if error.retryable:
                        raise
                    data = {}
                if data.get("cdnUrl"):
                    files.append(ResultFile(
                        url=data["cdnUrl"], watermarked=False, poster_url=work.poster_url,
                        remote_id=work.remote_id, duration=work.duration, width=work.width,
                        height=work.height))
            files.append(work)
        return files

    # --- media and elements --------------------------------------------------------------
    def reference(self, slot: str, media: Media) -> str:
        cached = self.asset_cache.get(media.sha256)
        if cached:
            return cached
        with open(media.path, "rb") as handle:
            data = self._call("POST", "/assets/", params=self._params(), content=handle.read(),
                              headers={"Content-Type": media.content_type})
        url: str = data.get("url")
        if not url:
            raise ProviderError(Failure.PROVIDER_FAULT, "useapi.net stored the file but gave no "
                                "URL.",
                                retryable=False, provider_text=str(data)[:300])
        self.asset_cache[media.sha256] = url
        return url

    def forget_asset(self, sha256: str) -> None:
        """After a 404 on create: the cached upload is gone; the next call uploads again."""
        self.asset_cache.pop(sha256, None)

    def create_element(self, spec: ElementSpec) -> ElementCreation:
        notes: list[str] = []
        body: dict[str, Any] = {"name": spec.name[:NAME_LIMIT]}
        if spec.description:  # optional: useapi describes the image itself when absent
            body["description"] = spec.description[:100]
        if spec.tag:
            # The docs accept the tag by id or by its key ("1" or "character"); the key is
            # what they show in every example, and what our library stores.
            body["tag"] = spec.tag
        if spec.video is not None:
            body["video"] = self.reference("video", spec.video)
        else:
            if spec.frontal is None:
                raise ProviderError(Failure.REJECTED, "an image element needs a frontal image",
                                    retryable=False)
            body["coverImage"] = self.reference("image", spec.frontal)
            for n, media in enumerate(spec.extra[:3], start=1):
                body[f"extraImage{n}"] = self.reference("image", media)
        if spec.voice_id or spec.voice_clip is not None:
            if spec.tag == VOICE_TAG:
                voice = spec.voice_id
                if not voice and spec.voice_clip is not None:  # one of the two, as tested above
                    voice = self.reference("video", spec.voice_clip)
                body["voice"] = voice
            else:
                notes.append(f"The voice of {spec.name!r} was left out: useapi.net gives a "
                             f"voice only to elements tagged {VOICE_TAG!r}.")
        if self.email:
            body["email"] = self.email
        data = self._call("POST", "/elements", json=body)
        elements = data.get("elements") or []
        if not elements or not elements[0].get("id"):
            raise ProviderError(Failure.PROVIDER_FAULT, "useapi.net answered without an "
                                "element id.", retryable=False, provider_text=str(data)[:300])
        return ElementCreation(element_id=str(elements[0]["id"]), notes=tuple(notes))

    def test_connection(self) -> str:
        data = self._call("GET", "/accounts")
        accounts = data if isinstance(data, list) else (data.get("accounts") or data)
        count = len(accounts) if isinstance(accounts, list | dict) else 0
        return f"Connected to useapi.net: {count} linked Kling account(s) visible to this token."


def parse_task(task_id: str, data: Mapping[str, Any]) -> TaskStatus:
    task = data.get("task") or {}
    name = str(data.get("status_name") or task.get("status_name") or "")
    final = bool(data.get("status_final", task.get("status_final", False)))
    works = data.get("works") or []
    if final and name == "succeed":
        results = tuple(_work_file(w) for w in works if (w.get("resource") or {}).get("resource"))
        return TaskStatus(task_id, TaskState.SUCCEEDED, progress=100, results=results, raw=data)
    if final:
        reason = failure_text(data) or f"The task ended as {name or 'failed'}."
        kind = (Failure.MODERATION if is_moderation(reason) else
                Failure.CREDITS if is_out_of_credits(reason) else Failure.PROVIDER_FAULT)
        return TaskStatus(task_id, TaskState.FAILED, failure=kind, reason=reason, raw=data)
    state = TaskState.RUNNING if name == "processing" else TaskState.QUEUED
    return TaskStatus(task_id, state, raw=data)


def _work_file(work: Mapping[str, Any]) -> ResultFile:
    resource = work.get("resource") or {}
    duration_ms = resource.get("duration")
    return ResultFile(
        url=resource["resource"],
        watermarked=True,
        poster_url=(work.get("cover") or {}).get("resource"),
        remote_id=str(work["workId"]) if work.get("workId") is not None else None,
        duration=duration_ms / 1000 if isinstance(duration_ms, int | float) else None,
        width=resource.get("width"),
        height=resource.get("height"),
    )
