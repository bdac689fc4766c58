"""Serving the sandbox with werkzeug's threaded server, in its own process or in a thread.

``python -m storyboard.providers.sandbox --port 8765`` runs it until SIGINT/SIGTERM;
``serve_in_thread(config)`` runs it in-process on a free port for tests (real loopback HTTP).

werkzeug's server answers one request per connection (it sends ``Connection: close``); an
earlier measurement of keep-alive on the old wsgiref server found it three times slower under
100 concurrent polls, so that is also what measures best here. Its listen backlog (128) holds
the poll-sweep benchmark's 100 concurrent connections.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, cast

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler
from werkzeug.serving import make_server as werkzeug_server

from .app import SandboxApp, make_app
from .config import SANDBOX_CREDENTIALS, SandboxConfig, base_urls


class SandboxRequestHandler(WSGIRequestHandler):
    quiet = False
    # a client that connects and then stalls must not hold a thread forever
    timeout = 60

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - werkzeug's name
        if not self.quiet:
            sys.stderr.write(f"sandbox {self.address_string()} {message % args}\n")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.log("info", '"%s" %s', self.requestline, str(code))


def make_server(app: SandboxApp, host: str, port: int) -> BaseWSGIServer:
    handler = type("Handler", (SandboxRequestHandler,), {"quiet": app.config.quiet})
    return werkzeug_server(host, port, app, threaded=True, request_handler=handler)


def _bound_address(server: BaseWSGIServer) -> tuple[str, int]:
    """(host, port) the server listens on: an IP socket's name, a text host and a number."""
    return cast("tuple[str, int]", server.server_address[:2])


class RunningSandbox:
    """A sandbox serving from a background thread; ``.url`` is its root URL."""

    def __init__(self, app: SandboxApp, server: BaseWSGIServer) -> None:
        self.app = app
        self.server = server
        host, port = _bound_address(server)
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.02},
            daemon=True,
            name="sandbox-server",
        )
        self._thread.start()

    @property
    def base_urls(self) -> dict[str, str]:
        return base_urls(self.url)

    @property
    def state(self) -> Any:
        return self.app.state

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.app.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_in_thread(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningSandbox:
    """Start a sandbox on ``host:port`` (0 = any free port) and return at once."""
    app = make_app(config)
    return RunningSandbox(app, make_server(app, host, port))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m storyboard.providers.sandbox",
        description="Offline simulator of the useapi, kling, cometapi and apimart Kling Omni APIs.",
    )
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--data-dir", type=Path, default=Path("var/sandbox"))
    p.add_argument("--delay", type=float, default=3.0, help="seconds from create to final state")
    p.add_argument("--slow-seconds", type=float, default=5.0)
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every API answer")
    p.add_argument("--render-size", default="320x180", help="WxH of the long/short side")
    p.add_argument("--max-jobs", type=int, default=None, help="concurrent tasks per dialect")
    p.add_argument("--public-url", default=None, help="root URL to put in answers")
    p.add_argument("--quiet", action="store_true", help="no access log")
    creds = SANDBOX_CREDENTIALS
    p.add_argument("--useapi-token", default=creds["useapi"]["token"])
    p.add_argument("--useapi-email", default=creds["useapi"]["email"])
    p.add_argument("--kling-access-key", default=creds["kling"]["access_key"])
    p.add_argument("--kling-secret-key", default=creds["kling"]["secret_key"])
    p.add_argument("--cometapi-key", default=creds["cometapi"]["api_key"])
    p.add_argument("--apimart-key", default=creds["apimart"]["api_key"])
    return p


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    try:
        w, h = (int(x) for x in str(args.render_size).lower().split("x"))
    except ValueError:
        raise SystemExit("--render-size must look like 320x180") from None
    return SandboxConfig(
        data_dir=args.data_dir,
        delay=args.delay,
        slow_seconds=args.slow_seconds,
        latency=args.latency,
        render_size=(w, h),
        max_jobs=args.max_jobs,
        public_url=args.public_url,
        quiet=args.quiet,
        credentials={
            "useapi": {"token": args.useapi_token, "email": args.useapi_email},
            "kling": {"access_key": args.kling_access_key, "secret_key": args.kling_secret_key},
            "cometapi": {"api_key": args.cometapi_key},
            "apimart": {"api_key": args.apimart_key},
        },
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    app = make_app(config_from_args(args))
    try:
        server = make_server(app, args.host, args.port)
    except OSError as exc:
        print(f"sandbox: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever, so it must run outside the serving thread
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    host, port = _bound_address(server)
    print(
        f"sandbox: serving on http://{host}:{port} (state kept in {args.data_dir})",
        file=sys.stderr,
        flush=True,
    )
    for dialect, url in base_urls(f"http://{host}:{port}").items():
        print(f"  {dialect:<9} {url}", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        app.close()
    print("sandbox: stopped", file=sys.stderr, flush=True)
    return 0
