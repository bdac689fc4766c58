"""Serving stored media to signed-in members: explicit Content-Type, `nosniff`, a sandboxing
CSP, and single-range HTTP Range requests (206 / 416) so browsers can seek in videos.

There is no public /media/ route: every file goes through a view that checked team access first.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, StreamingHttpResponse

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


def _secure(response: HttpResponse, content_type: str, download_name: str | None,
            attachment: bool = False) -> None:
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    if download_name:
        disposition = "attachment" if attachment else "inline"
        response["Content-Disposition"] = (
            f"{disposition}; filename*=UTF-8''{quote(download_name)}")


def serve_stored_file(request, name: str, content_type: str,
                      download_name: str | None = None, *,
                      attachment: bool = False) -> HttpResponse:
    """`attachment=True` asks the browser to save the file under `download_name`."""
    if not name:
        raise Http404("no such file")
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
