"""The sandbox's HTTP vocabulary on werkzeug: a request with size-capped bodies, JSON and text
answers, and one error type.

The sandbox must never hang a client or leak a traceback, so every body read is bounded by
Content-Length and a cap, and every problem becomes an :class:`ApiError` that each dialect
renders in its vendor's error shape. Answers are plain :class:`werkzeug.wrappers.Response`
objects (werkzeug drops the body of a HEAD answer by itself).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wrappers import Response

__all__ = ["ApiError", "Request", "Response", "json_response", "text_response"]


class ApiError(Exception):
    """A refusal; ``code``/``kind``/``param`` feed the dialect's error shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: int | str | None = None,
        kind: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.kind = kind
        self.param = param
        self.headers = dict(headers or {})


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode()
    return Response(
        body, status=status, headers=dict(headers or {}), content_type="application/json"
    )


def text_response(
    text: str, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        text.encode(), status=status, headers=dict(headers or {}),
        content_type="text/plain; charset=utf-8",
    )


class Request:
    """The parts of a werkzeug request the dialects read; ``path`` is relative to the dialect's
    prefix when one was matched."""

    def __init__(self, environ: Mapping[str, Any], path: str | None = None) -> None:
        self.raw = WerkzeugRequest(dict(environ) if not isinstance(environ, dict) else environ)
        self.method = self.raw.method.upper()
        self.path = path if path is not None else (self.raw.path or "/")
        self.query = {k: v for k, v in self.raw.args.items() if v is not None}
        self._body: bytes | None = None

    def header(self, name: str) -> str:
        return str(self.raw.headers.get(name, ""))

    @property
    def content_type(self) -> str:
        return (self.raw.mimetype or "").lower()

    @property
    def root_url(self) -> str:
        """``scheme://host:port`` as the client addressed us (URLs in answers use it)."""
        return self.raw.host_url.rstrip("/")

    def _length(self, limit: int) -> int:
        raw = self.header("Content-Length")
        try:
            length = int(raw) if raw else 0
        except ValueError:
            raise ApiError(400, "invalid Content-Length") from None
        if length < 0:
            raise ApiError(400, "invalid Content-Length")
        if length > limit:
            raise ApiError(413, f"request body larger than {limit} bytes")
        return length

    def body(self, limit: int) -> bytes:
        """The raw body, at most ``limit`` bytes (413 beyond, read nothing)."""
        if self._body is None:
            self._body = self.raw.get_data(cache=True) if self._length(limit) else b""
        return self._body

    def json(self, limit: int, *, multipart: bool = False) -> dict[str, Any]:
        """The JSON object in the body (or the fields of a multipart form when allowed)."""
        ctype = self.content_type
        if multipart and ctype == "multipart/form-data":
            return self._form(limit)
        if ctype != "application/json":
            raise ApiError(415, f"Content-Type must be application/json, got {ctype or 'none'}")
        raw = self.body(limit)
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(400, f"request body is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ApiError(400, "request body must be a JSON object")
        return data

    def _form(self, limit: int) -> dict[str, Any]:
        """Text fields of a multipart/form-data body; files become their bytes."""
        self._length(limit)
        self.raw.max_content_length = limit
        self.raw.max_form_memory_size = limit
        try:
            fields: dict[str, Any] = dict(self.raw.form.items())
            for name, upload in self.raw.files.items():
                fields[name] = upload.read()
        except RequestEntityTooLarge:
            raise ApiError(413, f"request body larger than {limit} bytes") from None
        if not fields and not self.header("Content-Type").lower().count("boundary="):
            raise ApiError(400, "malformed multipart/form-data body (no boundary)")
        return fields
