"""Serving stored media to signed-in members: explicit Content-Type, `nosniff`, a sandboxing
CSP, and single-range HTTP Range requests (206 / 416) so browsers can seek in videos.

There is no public /media/ route: every file goes through a view that checked team access first.
Once it has, STORYBOARD_MEDIA_MODE says who sends the bytes (docs/deployment.md):
this thread ("django"), or — so slow viewers never hold a web thread — a
short-lived signed link on storyboard.media_server ("media-server"), nginx/Apache ("accel") or a
presigned URL on the S3 store ("s3-redirect").
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.request import split_domain_port

from storyboard import media_server
from storyboard.storage import is_local

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """(start, end) inclusive for a satisfiable single range; None to ignore the header (a
    malformed or multi-range header: the whole file is sent, as RFC 9110 allows); "bad" for an
    unsatisfiable range (416)."""
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0:
            return "bad"
        return max(0, size - length), size - 1
    start = int(first)
    if start >= size:
        return "bad"
    end = int(last) if last else size - 1
    if end < start:
        return None
    return start, min(end, size - 1)


def _stream(fh, start: int, length: int):
    try:
        fh.seek(start)
        remaining = length
        while remaining > 0:
            block = fh.read(min(CHUNK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        fh.close()


def _disposition(download_name: str | None, attachment: bool) -> str:
    if not download_name:
        return ""
    return f"{'attachment' if attachment else 'inline'}; filename*=UTF-8''{quote(download_name)}"


def _secure(response: HttpResponse, content_type: str, download_name: str | None,
            attachment: bool = False) -> None:
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    if download_name:
        response["Content-Disposition"] = _disposition(download_name, attachment)


def _is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _redirect(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    # Never reuse a redirect: each request comes back here for the access check and a fresh link.
    response["Cache-Control"] = "private, no-store"
    return response


def _hand_off(request, name: str, content_type: str, download_name: str | None,
              attachment: bool) -> HttpResponse | None:
    """The response that lets something other than this thread send the bytes, or None to
    stream them here. Only for signed-in members: the signed vendor links (anonymous) are
    fetched through the public address, which reaches the web port only."""
    mode = settings.STORYBOARD_MEDIA_MODE
    if mode == "django" or not request.user.is_authenticated:
        return None
    disposition = _disposition(download_name, attachment)
    if mode == "s3-redirect" or (mode == "media-server" and not is_local()):
        if is_local():
            return None
        parameters = {"ResponseContentType": content_type}
        if disposition:
            parameters["ResponseContentDisposition"] = disposition
        return _redirect(default_storage.url(
            name, parameters=parameters, expire=settings.STORYBOARD_MEDIA_LINK_SECONDS))
    if mode == "media-server":
        base = settings.STORYBOARD_MEDIA_SERVER_URL
        # A media server on this machine's loopback is out of reach of a browser elsewhere.
        browser_host = split_domain_port(request.get_host())[0]
        if _is_loopback(urlsplit(base).hostname or "") and not _is_loopback(browser_host):
            return None
        return _redirect(media_server.link(base, name, content_type, disposition))
    # accel: nginx (or Apache) sends the file from an internal location, Range included.
    root = Path(settings.MEDIA_ROOT).resolve()
    path = media_server.resolve(root, name)
    if path is None:
        raise Http404("no such file")
    response = HttpResponse()
    _secure(response, content_type, download_name, attachment)
    if settings.STORYBOARD_MEDIA_ACCEL_HEADER == "X-Sendfile":
        response["X-Sendfile"] = str(path)
    else:
        relative = path.relative_to(root).as_posix()
        response["X-Accel-Redirect"] = settings.STORYBOARD_MEDIA_ACCEL_PREFIX + quote(relative)
    return response


def serve_stored_file(request, name: str, content_type: str,
                      download_name: str | None = None, *,
                      attachment: bool = False) -> HttpResponse:
    """`attachment=True` asks the browser to save the file under `download_name`."""
    if not name:
        raise Http404("no such file")
    handed = _hand_off(request, name, content_type, download_name, attachment)
    if handed is not None:
        return handed
    try:
        size = default_storage.size(name)
        fh = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("the file is missing from storage") from None
    header = request.headers.get("Range", "")
    wanted = parse_range(header, size) if header else None
    if wanted == "bad":
        fh.close()
        response = HttpResponse(status=416)
        _secure(response, content_type, None)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if wanted is None:
        start, end, status = 0, size - 1, 200
    else:
        (start, end), status = wanted, 206
    length = max(0, end - start + 1)
    if request.method == "HEAD":
        fh.close()
        response = HttpResponse(status=status)
    else:
        response = StreamingHttpResponse(_stream(fh, start, length), status=status)
    _secure(response, content_type, download_name, attachment)
    response["Content-Length"] = str(length)
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response
