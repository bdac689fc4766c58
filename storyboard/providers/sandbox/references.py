"""The pictures a create body referenced, as local files the animatic can draw.

A vendor renders from what it received, so the sandbox does too: a sandbox upload is read from
disk, inline base64 (kling, cometapi) is decoded, and an http(s) URL is fetched — but only from
a loopback address (the sandbox is offline by design: the app's own media server on
127.0.0.1 is what it reaches), with a size cap and no redirects. A reference that cannot be
had leaves its slot to the renderer's title card instead of failing the task: the real vendors
were never asked, so the sandbox does not invent their answer to an unreachable URL.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import socket
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from .media import image_size

MAX_FETCH_BYTES = 20 * 1024 * 1024  # the largest image any of the four vendors takes
FETCH_TIMEOUT = 10.0
IMAGE_TYPES = ("image/png", "image/jpeg")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # a redirect could lead off the loopback interface


# Direct connections only: a fetch from 127.0.0.1 must not go through an environment proxy.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def fetch_loopback(url: str, limit: int = MAX_FETCH_BYTES) -> bytes | None:
    """The body at ``url`` when it is on a loopback address, answers 200 and fits ``limit``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not is_loopback(parts.hostname):
        return None
    request = urllib.request.Request(url, headers={"User-Agent": "storyboard-sandbox"})  # noqa: S310
    try:
        with _OPENER.open(request, timeout=FETCH_TIMEOUT) as answer:
            if answer.status != 200:
                return None
            data = answer.read(limit + 1)
    except (OSError, ValueError, urllib.error.URLError):
        return None
    return data if len(data) <= limit else None


def decode_base64_image(ref: str) -> tuple[bytes, str] | None:
    """(bytes, content type) of a base64 PNG or JPEG without a ``data:`` prefix."""
    if len(ref) < 16 or ref.startswith(("http://", "https://", "data:")):
        return None
    try:
        data = base64.b64decode(ref, validate=True)
    except (binascii.Error, ValueError):
        return None
    for ctype in IMAGE_TYPES:
        if image_size(data, ctype):
            return data, ctype
    return None


def sniff_image(data: bytes) -> str | None:
    return next((c for c in IMAGE_TYPES if image_size(data, c)), None)


def local_path(ref: str) -> Path | None:
    """A reference the sandbox already resolved to a file of its own (see SandboxState)."""
    if ref.startswith(("http://", "https://")):
        return None
    path = Path(ref)
    return path if path.is_absolute() and path.is_file() else None
