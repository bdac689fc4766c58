"""Helpers for the sandbox tests: a running sandbox, clients with each dialect's credentials,
a polling loop, an MP4 probe and a tiny callback receiver — all on real loopback HTTP."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import av
import httpx
from PIL import Image

from storyboard.providers.sandbox import (
    SANDBOX_CREDENTIALS,
    RunningSandbox,
    SandboxConfig,
    mint_jwt,
    serve_in_thread,
)

DELAY = 0.2
TINY = (64, 36)  # the long side is what counts: 64x36 for 16:9, 36x64 for 9:16
PNG = {"Content-Type": "image/png"}
KLING_BODY = {
    "model_name": "kling-v3-omni",
    "prompt": "a lighthouse at dusk",
    "duration": "3",
    "aspect_ratio": "16:9",
    "mode": "std",
}
APIMART_BODY = {"model": "kling-v3-omni", "prompt": "a red kite over dunes", "duration": 3}


def config(tmp: Path, **overrides: Any) -> SandboxConfig:
    values: dict[str, Any] = {
        "data_dir": tmp,
        "delay": DELAY,
        "render_size": TINY,
        "quiet": True,
        "slow_seconds": 0.6,
        "retry_after": 7,
    }
    values.update(overrides)
    return SandboxConfig(**values)


@contextmanager
def running(tmp: Path, **overrides: Any) -> Iterator[RunningSandbox]:
    with serve_in_thread(config(tmp, **overrides)) as sandbox:
        yield sandbox


def kling_token(**kwargs: Any) -> str:
    creds = SANDBOX_CREDENTIALS["kling"]
    return mint_jwt(creds["access_key"], creds["secret_key"], **kwargs)


def headers(dialect: str) -> dict[str, str]:
    if dialect == "useapi":
        return {"Authorization": f"Bearer {SANDBOX_CREDENTIALS['useapi']['token']}"}
    if dialect == "kling":
        return {"Authorization": f"Bearer {kling_token()}"}
    return {"Authorization": f"Bearer {SANDBOX_CREDENTIALS[dialect]['api_key']}"}


def client(sandbox: RunningSandbox, dialect: str | None = None) -> httpx.Client:
    base = sandbox.base_urls[dialect] if dialect else sandbox.url
    return httpx.Client(
        base_url=base, headers=headers(dialect) if dialect else {}, timeout=15, trust_env=False
    )


def wait_for(fetch: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not done after {timeout} s: {value}")
        time.sleep(DELAY / 4)


def useapi_done(c: httpx.Client, task_id: int) -> dict:
    return wait_for(lambda: c.get(f"/tasks/{task_id}").json(), lambda j: j["status_final"])


def kling_done(c: httpx.Client, path: str) -> dict:
    final = ("succeed", "failed")
    return wait_for(lambda: c.get(path).json(), lambda j: j["data"]["task_status"] in final)


def apimart_done(c: httpx.Client, task_id: str) -> dict:
    final = ("completed", "failed", "cancelled")
    return wait_for(
        lambda: c.get(f"/v1/tasks/{task_id}").json(), lambda j: j["data"]["status"] in final
    )


def probe(data: bytes) -> tuple[float, int, int]:
    """(seconds, width, height) of an MP4 held in memory."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        seconds = float(stream.duration * stream.time_base) if stream.duration else 0.0
        if not seconds and container.duration:
            seconds = container.duration / 1_000_000
        return seconds, stream.codec_context.width, stream.codec_context.height


def png(width: int = 320, height: int = 320, colour: str = "tomato") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 400, height: int = 300) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(out, "JPEG")
    return out.getvalue()


class Receiver:
    """Collects JSON POSTs: ``.received`` is a list of (path, body)."""

    def __init__(self, fail_first: int = 0) -> None:
        self.received: list[tuple[str, Any]] = []
        self.fail_first = fail_first
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if outer.fail_first > 0:
                    outer.fail_first -= 1
                    self.send_response(503)
                else:
                    outer.received.append((self.path, json.loads(raw)))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, done: Callable[[list[tuple[str, Any]]], bool], timeout: float = 20) -> None:
        wait_for(lambda: list(self.received), done, timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def centre_colour(data: bytes) -> tuple[int, int, int]:
    """The RGB at the middle of the middle frame of an MP4 (above the caption band)."""
    with av.open(io.BytesIO(data)) as container:
        frames = [f.to_image() for f in container.decode(video=0)]
    picture = frames[len(frames) // 2].convert("RGB")
    return picture.getpixel((picture.width // 2, picture.height * 2 // 5))


def tinted(colour: tuple[int, int, int], channel: int) -> bool:
    """The colour is clearly of one primary (0 red, 1 green, 2 blue): the reference picture
    shows, dimmed a little by the animatic, and not the dark title card."""
    main = colour[channel]
    return main > 60 and all(c < main / 2 for i, c in enumerate(colour) if i != channel)


class StaticFiles:
    """Serves ``files`` (path -> bytes) over loopback HTTP, counting the GETs of each path."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.hits: dict[str, int] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                body = outer.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
