"""useapi.net Kling v1 (providers.md A): a REST front for a person's own Kling account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from storyboard.rules import BodyOptions, Storyboard

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

MODERATION_MARKERS = ("CM_EXT", "community guidelines", "violate")
POLL_404 = ("useapi answered 404 for this task: it was deleted, it failed content moderation, "
            "or the Kling account ran out of credits")
NAME_LIMIT = 15  # useapi appends a 5-character suffix to element names


class UseapiProvider(Provider):
    dialect = "useapi"
    default_base_url = "https://api.useapi.net/v1/kling"
    credential_fields = ("token", "email")
    has_elements = True

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
        text = str(data.get("error") or data.get("message") or data.get("_text") or "")
        status = response.status_code
        where = f"useapi {status}"
        if status == 400:
            return ProviderError(Failure.REJECTED, f"{where}: {text}", status=status,
                                 provider_text=text)
        if status in (401, 403):
            return ProviderError(Failure.AUTHENTICATION,
                                 f"{where}: the API token was refused ({text})",
                                 status=status, provider_text=text)
        if status == 404:
            message = POLL_404 if polling else (
                f"{where}: a referenced file is not a Kling-hosted upload ({text})")
            return ProviderError(Failure.NOT_FOUND, message, retryable=False, status=status,
                                 provider_text=text)
        if status == 429:
            return ProviderError(Failure.RATE_LIMITED,
                                 f"{where}: every linked Kling account is at capacity",
                                 retry_after=retry_after_seconds(response, 10.0), status=status,
                                 provider_text=text)
        if status == 500 and any(m.lower() in text.lower() for m in MODERATION_MARKERS):
            return ProviderError(Failure.MODERATION, f"Refused by content moderation: {text}",
                                 retryable=False, status=status, provider_text=text)
        if status == 402:
            return ProviderError(Failure.CREDITS, f"{where}: {text}", status=status,
                                 provider_text=text)
        return ProviderError(Failure.PROVIDER_FAULT, f"{where}: {text or 'server error'}",
                             retryable=status >= 500, status=status, provider_text=text)

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
            raise ProviderError(Failure.PROVIDER_FAULT, "useapi answered without a task id",
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
        url = data.get("url")
        if not url:
            raise ProviderError(Failure.PROVIDER_FAULT, "useapi stored the file but gave no URL",
                                retryable=False, provider_text=str(data)[:300])
        self.asset_cache[media.sha256] = url
        return url

    def forget_asset(self, sha256: str) -> None:
        """After a 404 on create: the cached upload is gone; the next call uploads again."""
        self.asset_cache.pop(sha256, None)

    def create_element(self, spec: ElementSpec) -> ElementCreation:
        body: dict[str, Any] = {"name": spec.name[:NAME_LIMIT],
                                "description": spec.description[:100]}
        if spec.tag:
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
        if spec.voice_id:
            body["voice"] = spec.voice_id
        elif spec.voice_clip is not None:
            body["voice"] = self.reference("video", spec.voice_clip)
        if self.email:
            body["email"] = self.email
        data = self._call("POST", "/elements", json=body)
        elements = data.get("elements") or []
        if not elements or not elements[0].get("id"):
            raise ProviderError(Failure.PROVIDER_FAULT, "useapi created no element",
                                retryable=False, provider_text=str(data)[:300])
        return ElementCreation(element_id=str(elements[0]["id"]))

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
        reason = str(data.get("message") or task.get("message") or data.get("error") or
                     f"the task ended as {name or 'failed'}")
        return TaskStatus(task_id, TaskState.FAILED, failure=Failure.PROVIDER_FAULT,
                          reason=reason, raw=data)
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
