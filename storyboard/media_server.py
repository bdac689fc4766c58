"""A small media server for the embedded set-up (`manage.py studio`): it streams video, poster
and thumbnail bytes so that slow viewers never hold one of the web server's few request threads.

It decides nothing about access. The permission-checked Django views (storyboard.library.serving)
answer a redirect to a short-lived link signed with the app's SECRET_KEY; the link names one
stored file and its Content-Type, and this server only honours links it can verify and that have
not expired. Anything else is refused: a bad or tampered signature or an expired link with 403,
a name outside MEDIA_ROOT with 403, a missing file with 404.

One asyncio loop serves every connection (no pool to exhaust): a slow client costs a socket and a
little memory, and bytes go out with sendfile where the platform has it.

Run: `python -m storyboard.media_server --host 127.0.0.1 --port 8001` (studio does this).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from pathlib import Path
from urllib.parse import quote, unquote

SALT = "storyboard.media-server"
PREFIX = "/media/"
HEAD_LIMIT = 16 * 1024
IDLE_SECONDS = 30  # a connection that sends no complete request head in this long is closed

_REASONS = {200: "OK", 206: "Partial Content", 400: "Bad Request", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 416: "Range Not Satisfiable"}


def sign(name: str, content_type: str, disposition: str = "") -> str:
    """A token for one stored file; `disposition` is the Content-Disposition to answer with."""
    from django.core import signing

    return signing.dumps({"n": name, "t": content_type, "d": disposition}, salt=SALT,
                         compress=True)


def read_token(token: str) -> dict | None:
    """The signed file description, or None for a bad, tampered or expired token."""
    from django.conf import settings
    from django.core import signing

    try:
        value = signing.loads(token, salt=SALT, max_age=settings.STORYBOARD_MEDIA_LINK_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in "ntd"):
        return None
    return value


def link(base_url: str, name: str, content_type: str, disposition: str = "") -> str:
    return f"{base_url}{PREFIX}{quote(sign(name, content_type, disposition), safe='')}"


def resolve(root: Path, name: str) -> Path | None:
    """The file for stored `name` under `root`, or None when the name leads outside it."""
    if not name or "\x00" in name or name.startswith(("/", "\\")):
        return None
    path = (root / name).resolve()
    return path if path.is_relative_to(root) else None


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS[status]}"]
    lines += [f"{key}: {value}" for key, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _secure_headers(content_type: str) -> dict[str, str]:
    # The same protections the Django views give (storyboard.library.serving._secure).
    return {"Content-Type": content_type, "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Accept-Ranges": "bytes", "Cache-Control": "private, max-age=3600"}


class MediaServer:
    def __init__(self, root: Path):
        self.root = root.resolve()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        try:
            while await self._one_request(reader, writer):
                pass
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ConnectionError, ValueError):
            pass  # the client went away, sent garbage or idled: nothing to answer
        finally:
            writer.close()

    async def _one_request(self, reader, writer) -> bool:
        """Answers one request; True to keep the connection for another."""
        raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_SECONDS)
        lines = raw.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            await self._error(writer, 400, "HEAD")
            return False
        method, target, version = parts
        headers = {}
        for line in lines[1:]:
            key, sep, value = line.partition(":")
            if sep:
                headers[key.strip().lower()] = value.strip()
        keep = (version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
                and "content-length" not in headers and "transfer-encoding" not in headers)
        if method not in ("GET", "HEAD"):
            await self._error(writer, 405, method, {"Allow": "GET, HEAD"})
            return False
        path = target.split("?", 1)[0]
        if not path.startswith(PREFIX):
            await self._error(writer, 404, method)
            return keep
        signed = read_token(unquote(path[len(PREFIX):]))
        if signed is None:
            await self._error(writer, 403, method)
            return keep
        file_path = resolve(self.root, signed["n"])
        if file_path is None:
            await self._error(writer, 403, method)
            return keep
        await self._send_file(writer, method, file_path, signed, headers.get("range", ""))
        return keep

    async def _error(self, writer, status: int, method: str, extra: dict | None = None):
        text = f"{_REASONS[status]}\n".encode()
        headers = {"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options":
                   "nosniff", "Cache-Control": "no-store", "Content-Length": str(len(text))}
        body = b"" if method == "HEAD" else text
        headers.update(extra or {})
        writer.write(_head(status, headers) + body)
        await writer.drain()

    async def _send_file(self, writer, method: str, path: Path, signed: dict, range_header: str):
        from storyboard.library.serving import parse_range

        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below, after the async send
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            await self._error(writer, 404, method)
            return
        try:
            size = os.fstat(handle.fileno()).st_size
            headers = _secure_headers(signed["t"])
            wanted = parse_range(range_header, size) if range_header else None
            if wanted == "bad":
                headers.update({"Content-Range": f"bytes */{size}", "Content-Length": "0"})
                writer.write(_head(416, headers))
                await writer.drain()
                return
            if wanted is None:
                start, end, status = 0, size - 1, 200
            else:
                (start, end), status = wanted, 206
                headers["Content-Range"] = f"bytes {start}-{end}/{size}"
            length = max(0, end - start + 1)
            headers["Content-Length"] = str(length)
            if signed["d"]:
                headers["Content-Disposition"] = signed["d"]
            writer.write(_head(status, headers))
            await writer.drain()
            if method == "GET" and length:
                await asyncio.get_running_loop().sendfile(writer.transport, handle, start,
                                                          length)
        finally:
            handle.close()


async def serve(host: str, port: int, root: Path, ready=None):
    server = await asyncio.start_server(MediaServer(root).handle, host, port,
                                        limit=HEAD_LIMIT, backlog=1024)
    if ready is not None:
        ready(server)
    async with server:
        await server.serve_forever()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storyboard.settings")
    import django
    from django.conf import settings

    django.setup()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, Path(settings.MEDIA_ROOT)))


if __name__ == "__main__":
    main()
