"""A few WSGI helpers: request parsing with size caps, JSON answers, one error type.

The sandbox must never hang a client or leak a traceback, so every body read is bounded by
Content-Length and a cap, and every problem becomes an :class:`ApiError` that each dialect
renders in its vendor's error shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "No Content",
    206: "Partial Content",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    410: "Gone",
    411: "Length Required",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    416: "Range Not Satisfiable",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


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


@dataclass
class Response:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)

    def start(self, start_response: Any) -> Iterable[bytes]:
        headers = dict(self.headers)
        if isinstance(self.body, bytes):
            headers.setdefault("Content-Length", str(len(self.body)))
        reason = STATUS_TEXT.get(self.status, "Unknown")
        start_response(f"{self.status} {reason}", list(headers.items()))
        return [self.body] if isinstance(self.body, bytes) else self.body


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode()
    return Response(status, body, {"Content-Type": "application/json", **(headers or {})})


def text_response(
    text: str, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    h = {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}
    return Response(status, text.encode(), h)


class Request:
    def __init__(self, environ: Mapping[str, Any], path: str | None = None) -> None:
        self.environ = environ
        self.method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        self.path = path if path is not None else str(environ.get("PATH_INFO") or "/")
        self.query = {
            k: v[0] for k, v in parse_qs(str(environ.get("QUERY_STRING") or "")).items() if v
        }
        self._body: bytes | None = None

    def header(self, name: str) -> str:
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            return str(self.environ.get(key) or "")
        return str(self.environ.get("HTTP_" + key) or "")

    @property
    def content_type(self) -> str:
        return self.header("Content-Type").split(";")[0].strip().lower()

    @property
    def root_url(self) -> str:
        """``scheme://host:port`` as the client addressed us (URLs in answers use it)."""
        scheme = self.environ.get("wsgi.url_scheme", "http")
        host = self.header("Host") or (
            f"{self.environ.get('SERVER_NAME', '127.0.0.1')}:{self.environ.get('SERVER_PORT')}"
        )
        return f"{scheme}://{host}"

    def body(self, limit: int) -> bytes:
        """The raw body, at most ``limit`` bytes (413 beyond, read nothing)."""
        if self._body is None:
            raw = self.header("Content-Length")
            try:
                length = int(raw) if raw else 0
            except ValueError:
                raise ApiError(400, "invalid Content-Length") from None
            if length < 0:
                raise ApiError(400, "invalid Content-Length")
            if length > limit:
                raise ApiError(413, f"request body larger than {limit} bytes")
            stream = self.environ["wsgi.input"]
            self._body = stream.read(length) if length else b""
        return self._body

    def json(self, limit: int, *, multipart: bool = False) -> dict[str, Any]:
        """The JSON object in the body (or the fields of a multipart form when allowed)."""
        ctype = self.content_type
        if multipart and ctype == "multipart/form-data":
            return parse_multipart(self.header("Content-Type"), self.body(limit))
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


def parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Text fields of a multipart/form-data body (files become their bytes)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    msg = BytesParser(policy=HTTP).parsebytes(head + body)
    if not msg.is_multipart():
        raise ApiError(400, "malformed multipart/form-data body")
    fields: dict[str, Any] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            fields[str(name)] = payload
        else:
            fields[str(name)] = payload.decode("utf-8", "replace")
    return fields
