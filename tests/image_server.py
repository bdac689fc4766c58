"""A web server on this machine that hands out images (and things that are not), for the tests of
images given by a web address. Nothing reaches the internet: the server listens on loopback,
which the outbound client refuses, so a test that wants its images fetched says so with
`allow_this_machine` — the one place where loopback is let through."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from library.media_factory import jpeg, png

from storyboard.library import fetching
from storyboard.providers.http import checked_transport

PAGES = {
    "/chef.jpg": ("image/jpeg", lambda: jpeg(800, 600, color=(30, 160, 90))),
    "/kitchen.png": ("image/png", lambda: png(640, 480, color=(90, 30, 160))),
    "/tiny.png": ("image/png", lambda: png(100, 100)),
    "/page.jpg": ("image/jpeg", lambda: b"<!doctype html><html><body>Not found</body></html>"),
    "/huge.jpg": ("image/jpeg", lambda: b"\xff" * (10 * 1024 * 1024 + 1)),
}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the standard library's name
        self.server.asked.append(self.path)
        if self.path == "/moved.jpg":
            self.send_response(302)
            self.send_header("Location", "/chef.jpg")
            self.end_headers()
            return
        found = PAGES.get(self.path)
        if found is None:
            self.send_error(404)
            return
        content_type, make = found
        body = make()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # A client that stops reading at its limit, as it should, closes the connection.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args):
        pass


class ImageServer(http.server.ThreadingHTTPServer):
    asked: list[str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def serving() -> Iterator[ImageServer]:
    server = ImageServer(("127.0.0.1", 0), _Handler)
    server.asked = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def allow_this_machine(monkeypatch) -> None:
    """Lets the fetching of addresses reach loopback, as the SSRF tests' own clients do
    (`checked_transport(allow_loopback=True)`): for this test only."""
    monkeypatch.setattr(fetching, "outbound_transport",
                        lambda: checked_transport(allow_loopback=True))
