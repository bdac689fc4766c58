"""The WSGI application: the four dialects under their prefixes, files, and control endpoints.

``make_app(config)`` returns a plain WSGI callable (``app.state`` holds the memory, ``app.close()``
stops background work). Nothing here may raise into the server: every failure becomes an answer
in the shape of the dialect that was called. Files go out through werkzeug's ``send_file``
(Range, HEAD, ETag and If-Modified-Since handled there).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any, Protocol, cast

from werkzeug.exceptions import HTTPException
from werkzeug.utils import send_file

from storyboard.providers.registry import VENDOR_PACKAGES

from . import links
from .common import Route, dispatch
from .config import BASE_PATHS, SandboxConfig
from .faults import FAULTS
from .media import poster_png
from .state import SandboxState, Task
from .web import ApiError, Request, Response, json_response, text_response


class _VendorHalf(Protocol):
    """What each providers/<vendor>/sandbox.py module offers."""

    ROUTES: list[Route]

    def render_error(self, err: ApiError) -> Response: ...


# Each vendor package holds its own half of the sandbox (providers/<vendor>/sandbox.py).
DIALECT_MODULES: dict[str, _VendorHalf] = {
    name: cast(_VendorHalf, import_module(f"storyboard.providers.{name}.sandbox"))
    for name in VENDOR_PACKAGES
}
# which render a file name serves, first existing wins (video.mp4: kling's clean url, apimart's)
FILE_VARIANTS = {
    "video.mp4": ("clean", "video"),
    "clean.mp4": ("clean",),
    "watermarked.mp4": ("watermarked",),
}
CHUNK = 64 * 1024
EXPIRED_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>Request has expired</Message></Error>\n"
)

ROOT_PAGE = """storyboard sandbox — an offline simulator of four Kling Omni vendor APIs.

Base URLs (set them on provider accounts marked "sandbox"):
{bases}
Files:   {root}/files/...
Health:  {root}/_sandbox/health
Faults:  POST {root}/_sandbox/faults {{"dialect": "kling", "fault": "429", "times": 2}}
         GET lists them, DELETE clears them. Prompt keywords: [sandbox:<fault>] or
         [sandbox:<fault>:<N>] with <fault> one of: {faults}.

State survives restarts: tasks, uploads, elements and rendered clips are kept on disk in
{data_dir}, so a task created before a restart is still found, finishes and serves its MP4.
Delete that folder to start afresh.
"""


class SandboxApp:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.state = SandboxState(config)

    def close(self) -> None:
        self.state.close()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO") or "/")
        dialect, sub = _split(path)
        try:
            response = self._route(environ, path, dialect, sub)
        except ApiError as err:
            response = self._error(dialect, err)
        except HTTPException as exc:  # werkzeug's own refusals (a Range it cannot satisfy)
            response = exc.get_response(environ)
        except Exception:  # noqa: BLE001 - a simulator bug must not look like a hung vendor
            traceback.print_exc(file=sys.stderr)
            response = self._error(dialect, ApiError(500, "internal sandbox error (see its log)"))
        return response(environ, start_response)

    def _error(self, dialect: str | None, err: ApiError) -> Response:
        if dialect is not None:
            return DIALECT_MODULES[dialect].render_error(err)
        return json_response({"error": err.message}, err.status, err.headers)

    def _route(self, environ: dict[str, Any], path: str, dialect: str | None, sub: str) -> Response:
        if dialect is not None:
            half = DIALECT_MODULES[dialect]  # each vendor's ROUTES and render_error
            try:
                return dispatch(half.ROUTES, Request(environ, sub), self.state)
            except ApiError as err:
                return half.render_error(err)
        req = Request(environ)
        if path.startswith("/files/"):
            if req.method not in ("GET", "HEAD"):
                raise ApiError(405, "files are read-only", headers={"Allow": "GET, HEAD"})
            return self._file(req, path[len("/files/") :])
        if path == "/_sandbox/health":
            return text_response("ok\n")
        if path == "/_sandbox/faults":
            return self._faults(req)
        if path == "/" and req.method in ("GET", "HEAD"):
            root = self.config.public_url or req.root_url
            bases = "".join(f"  {d:<9} {root}{p}\n" for d, p in BASE_PATHS.items())
            return text_response(
                ROOT_PAGE.format(
                    bases=bases,
                    root=root,
                    faults=", ".join(FAULTS),
                    data_dir=self.config.data_dir.resolve(),
                )
            )
        return text_response(f"not found: {path}\n", 404)

    def _faults(self, req: Request) -> Response:
        book = self.state.faults
        if req.method == "POST":
            data = req.json(64 * 1024)
            try:
                book.add(str(data.get("dialect")), str(data.get("fault")), data.get("times", 1))
            except ValueError as exc:
                raise ApiError(400, str(exc)) from None
        elif req.method == "DELETE":
            book.clear()
        elif req.method != "GET":
            raise ApiError(405, "use GET, POST or DELETE", headers={"Allow": "GET, POST, DELETE"})
        return json_response({"faults": book.snapshot(), "known": FAULTS})

    def _file(self, req: Request, rel: str) -> Response:
        parts = rel.split("/")
        if len(parts) == 2 and parts[0] == "assets":
            with self.state.lock:
                asset = self.state.assets.get(parts[1])
            if asset is None:
                raise ApiError(404, "no such file")
            return _send_file(req, asset.path, asset.content_type)
        task = self.state.task_by_key(parts[1]) if len(parts) == 3 and parts[0] == "tasks" else None
        if task is None:
            raise ApiError(404, "no such file")
        name = parts[2]
        if name == "cover.png":
            first = next(
                (r for v in ("watermarked", "clean", "video") if (r := task.rendered(v))), None
            )
            if first is None:
                raise ApiError(404, "no such file")
            png = poster_png(first.width, first.height)
            return Response(png, status=200, content_type="image/png")
        rendered = next((r for v in FILE_VARIANTS.get(name, ()) if (r := task.rendered(v))), None)
        if rendered is None:
            raise ApiError(404, "no such file")
        sig = req.query.get("sig", "")
        refusal = links.download_refusal(self.state, task, int(sig) if sig.isdigit() else None)
        if "expired" in task.faults or refusal == 403:
            return Response(EXPIRED_BODY, status=403, content_type="application/xml")
        if refusal is not None:
            return text_response("service unavailable (sandbox fault, retry)\n", refusal)
        return _send_file(req, rendered.path, "video/mp4", truncate="truncate" in task.faults)


def _split(path: str) -> tuple[str | None, str]:
    for dialect, prefix in BASE_PATHS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return dialect, path[len(prefix) :] or "/"
    return None, path


def _send_file(req: Request, path: Path, content_type: str, *, truncate: bool = False) -> Response:
    """A file through werkzeug (Range, HEAD, conditional GETs); ``truncate`` sends only half of
    it under the full Content-Length (werkzeug's server then closes the connection), like a CDN
    dropping a download mid-way."""
    try:
        size = path.stat().st_size
    except OSError:
        raise ApiError(404, "no such file") from None
    if truncate:
        headers = {"Content-Length": str(size), "Accept-Ranges": "bytes"}
        response = Response(_read(path, 0, size // 2), status=200, headers=headers,
                            content_type=content_type, direct_passthrough=True)
    else:
        response = send_file(path, req.raw.environ, mimetype=content_type, conditional=True,
                             max_age=None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _read(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as fh:
        fh.seek(start)
        while length > 0:
            chunk = fh.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def make_app(config: SandboxConfig | None = None) -> SandboxApp:
    """The sandbox as a WSGI application (``.state``, ``.close()``)."""
    return SandboxApp(config or SandboxConfig())


__all__ = ["SandboxApp", "make_app", "Task"]
