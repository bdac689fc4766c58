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
