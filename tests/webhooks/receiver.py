"""A webhook receiver on this machine, for the delivery tests: it records every POST (headers
and the raw body) and answers as the test says — a status, or no answer for a while. Nothing
reaches the internet; the outbound client lets loopback through only under
STORYBOARD_WEBHOOKS_ALLOW_LOOPBACK, which `allow_local_receiver` turns on for one test."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Behaviour:
    status: int = 200
    hang_seconds: float = 0.0
    received: list[Received] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the standard library's name
        behaviour: Behaviour = self.server.behaviour
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        behaviour.received.append(Received(self.path, dict(self.headers.items()), body))
        if behaviour.hang_seconds:
            behaviour.released.wait(behaviour.hang_seconds)
        try:
            self.send_response(behaviour.status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if behaviour.status < 400 else b"receiver is broken")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the sender gave up waiting, as it should

    def log_message(self, *args):
        pass


class Receiver(http.server.ThreadingHTTPServer):
    daemon_threads = True
    behaviour: Behaviour

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/storyboard"

    @property
    def received(self) -> list[Received]:
        return self.behaviour.received


@contextmanager
def receiving(**behaviour) -> Iterator[Receiver]:
    server = Receiver(("127.0.0.1", 0), _Handler)
    server.behaviour = Behaviour(**behaviour)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.behaviour.released.set()
        server.shutdown()
        server.server_close()
