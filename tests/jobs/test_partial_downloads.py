"""A download killed half-way (SIGKILL: no `finally` runs) leaves its `.part-` file behind; the
next download into the same place removes it, and the recurring sweep removes any that no
later attempt comes for."""

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from storyboard.providers.http import build_client, download
from storyboard.storage import sweep_leftover_files

ROOT = Path(__file__).resolve().parents[2]
BODY = b"\0" * (4 * 1024 * 1024)


class _Trickle(BaseHTTPRequestHandler):
    """Sends the body slowly under /slow (a download still running when it is killed), at
    once elsewhere."""

    def do_GET(self):  # noqa: N802 - the stdlib's name
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        step = 64 * 1024
        for start in range(0, len(BODY), step):
            try:
                self.wfile.write(BODY[start:start + step])
            except OSError:
                return  # the client was killed
            if self.path == "/slow":
                time.sleep(0.2)

    def log_message(self, *args):
        pass


def _server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


KILLED_DOWNLOAD = """
import sys
from pathlib import Path
from storyboard.providers.http import build_client, download
with build_client(allow_loopback=True) as client:
    download(client, sys.argv[1], Path(sys.argv[2]), max_bytes=10**8)
"""


def _parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".part-"))


def test_a_download_killed_half_way_is_cleaned_by_the_next_attempt(tmp_path):
    server = _server()
    base = f"http://127.0.0.1:{server.server_port}"
    dest = tmp_path / "clips" / "job.mp4"
    dest.parent.mkdir(parents=True)
    process = subprocess.Popen([sys.executable, "-c", KILLED_DOWNLOAD, f"{base}/slow",
                                str(dest)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 30
        while not any((dest.parent / n).stat().st_size for n in _parts(dest.parent)):
            assert time.monotonic() < deadline, "the download never started"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert len(_parts(dest.parent)) == 1  # what the kill left
        with build_client(allow_loopback=True) as client:
            download(client, f"{base}/fast", dest, max_bytes=10**8)
        assert _parts(dest.parent) == []
        assert dest.read_bytes() == BODY
    finally:
        process.kill()
        server.shutdown()


def test_a_failed_download_leaves_nothing(tmp_path):
    dest = tmp_path / "job.mp4"

    def refuse(request):
        return httpx.Response(403, text="Request has expired")

    with httpx.Client(transport=httpx.MockTransport(refuse)) as client, \
            pytest.raises(httpx.HTTPStatusError):
        download(client, "https://cdn.example/clip.mp4", dest, max_bytes=10**8)
    assert list(tmp_path.iterdir()) == []


def test_the_sweep_removes_old_leftovers_and_keeps_fresh_ones(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
    clips = settings.MEDIA_ROOT / "clips" / "1"
    incoming = settings.VAR_DIR / "incoming" / "clips" / "1"
    for folder in (clips, incoming):
        folder.mkdir(parents=True)
    old = [clips / ".part-a.mp4.x1.mp4", clips / ".incoming-a.mp4", incoming / ".part-b.x.mp4",
           incoming / ".d.mp4.k2j4.part"]  # an animatic render killed half-way
    fresh = clips / ".part-c.mp4.x2.mp4"  # a download in progress right now
    kept = clips / "a.mp4"
    for path in (*old, fresh, kept):
        path.write_bytes(b"x")
    a_day_ago = time.time() - 24 * 3600
    for path in (*old, kept):
        os.utime(path, (a_day_ago, a_day_ago))
    assert sweep_leftover_files() == {"removed": 4}
    assert not any(p.exists() for p in old)
    assert fresh.exists() and kept.exists()
