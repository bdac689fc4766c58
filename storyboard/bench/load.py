"""Benchmark: does the editor stay responsive while people watch clips?

    python -m storyboard.bench.load [--viewers 0,8,32] [--seconds 20] [--clip-mb 60]
                                    [--modes django,media-server]

For each media mode it starts the product as `manage.py studio` does (its own temporary state
directory and free ports), signs in as the demo user, uploads a large generated clip and opens a
storyboard. Then, for each number of viewers N, N viewers (threads in 4 processes of their own,
so their work does not slow the timing) stream that clip through the URL the page uses
(following the redirect to the media server, if any), each throttled to 20 Mbit/s and starting
over when done, while the editor's live check (the autosave POST the page sends on every
change) is timed over HTTP, one after the other.

Prints, per mode and N, the live check's p50 / p99 / max and its timeouts (over 30 s), beside the
N = 0 baseline of the same run, and the viewers' total throughput as a share of what they asked
for. Budget (issue 14): with 32 viewers, p99 ≤ 50 ms, no timeouts, throughput ≥ 80 %.
`django` mode (every byte through a web thread) is the same-run "before".
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from storyboard.operations.probe import serving

ROOT = Path(__file__).resolve().parents[2]
VIEWER_BITS_PER_SECOND = 20_000_000
SAVE_TIMEOUT = 30.0
CHUNK = 256 * 1024
VIEWER_PROCESSES = 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_clip(path: Path, megabytes: int) -> None:
    """A 720p clip of noise (incompressible: about 0.45 MB a frame, so its length sets its
    size; 3 to 10 seconds, what the library accepts)."""
    import av

    width, height, fps = 1280, 720, 24
    seconds = max(3, min(10, round(megabytes / 11)))
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = int(megabytes * 1e6 * 8 / seconds)
        noise = [os.urandom(width * height * 3 // 2) for _ in range(4)]
        for index in range(fps * seconds):
            frame = av.VideoFrame(width, height, "yuv420p")
            data, offset = noise[index % 4], 0
            for plane in frame.planes:
                plane.update(data[offset:offset + plane.buffer_size])
                offset += plane.buffer_size
            frame.pts = index
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


class EditorForm(HTMLParser):
    """The fields of `<form id="editor">` as the browser would post them."""

    def __init__(self):
        super().__init__()
        self.inside = self.in_template = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "editor":
            self.inside = True
        if not self.inside:
            return
        if tag == "template":
            self.in_template = True
        if self.in_template or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") in ("file", "submit", "button"):
                return
            self.fields.append((name, a.get("value") or ("on" if a.get("type") in (
                "checkbox", "radio") else "")))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template = False
        elif tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = [v for v, s in self._options if s] or [v for v, _ in self._options[:1]]
            self.fields += [(self._select, v) for v in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None


class Studio:
    """`manage.py studio` in a temporary state directory, with its media mode."""

    def __init__(self, mode: str):
        self.dir = tempfile.TemporaryDirectory(prefix="storyboard-load-")
        self.port, sandbox, media = free_port(), free_port(), free_port()
        env = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "REDIS_URL", "STORYBOARD_MEDIA_MODE")}
        env.update(STORYBOARD_VAR_DIR=self.dir.name, PYTHONUNBUFFERED="1",
                   DJANGO_SETTINGS_MODULE="storyboard.settings")
        if mode == "django":
            env["STORYBOARD_MEDIA_MODE"] = "django"
        self.process = subprocess.Popen(  # noqa: S603 - fixed argument list
            [sys.executable, "manage.py", "studio", "--port", str(self.port),
             "--sandbox-port", str(sandbox), "--media-port", str(media)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                answer = httpx.get(f"{self.url}/healthz", timeout=2)
                if serving(answer.status_code, answer.content):
                    break
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"studio ({mode}) did not start")
            time.sleep(0.3)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.dir.cleanup()

    def signed_in(self) -> httpx.Client:
        password = (Path(self.dir.name) / "demo_password").read_text().strip()
        web = httpx.Client(base_url=self.url, timeout=SAVE_TIMEOUT)
        web.get("/login/")
        answer = web.post("/login/", data={"username": "demo", "password": password,
                                           "csrfmiddlewaretoken": web.cookies["csrftoken"]})
        if answer.status_code != 302:
            raise SystemExit(f"could not sign in as demo ({answer.status_code})")
        return web


def upload_clip(web: httpx.Client, clip: Path) -> str:
    with open(clip, "rb") as handle:
        answer = web.post("/library/upload/", files={"files": (clip.name, handle, "video/mp4")},
                          data={"csrfmiddlewaretoken": web.cookies["csrftoken"]},
                          timeout=300)
    found = re.search(r"/library/videos/(\d+)/", web.get("/library/").text)
    if answer.status_code != 200 or not found:
        raise SystemExit(f"the clip upload failed ({answer.status_code})")
    return f"/library/videos/{found.group(1)}/file"


class Editor:
    """One storyboard's editor form, saved as the page's autosave does."""

    def __init__(self, web: httpx.Client):
        self.web = web
        created = web.post("/storyboards/new/", data={
            "title": "Load test", "csrfmiddlewaretoken": web.cookies["csrftoken"]})
        self.url = created.headers["Location"]
        parser = EditorForm()
        parser.feed(web.get(self.url).text)
        self.fields = parser.fields
        self.save_url = f"{self.url.rstrip('/')}/save/"
        self.count = 0

    def save(self) -> float:
        """Seconds one live check took; raises httpx.TimeoutException past SAVE_TIMEOUT."""
        self.count += 1
        data = [(k, f"A runner crosses the bridge, take {self.count}" if k == "prompt" else v)
                for k, v in self.fields]
        data.append(("csrfmiddlewaretoken", self.web.cookies["csrftoken"]))
        body: dict[str, list[str]] = {}
        for key, value in data:
            body.setdefault(key, []).append(value)
        started = time.perf_counter()
        answer = self.web.post(self.save_url, data=body, headers={
            "HX-Request": "true", "X-CSRFToken": self.web.cookies["csrftoken"]})
        took = time.perf_counter() - started
        version = re.search(r'id="board-version" value="(\d+)"', answer.text)
        if answer.status_code != 200 or not version:
            if answer.status_code == 200 and 'id="board-version"' not in answer.text:
                return took  # nothing changed (the same prompt): nothing saved
            raise SystemExit(f"the live check answered {answer.status_code}: {answer.text[:300]}")
        self.fields = [(k, version.group(1) if k == "version" else v) for k, v in self.fields]
        return took


def _open_stream(base: str, cookie: str, clip_url: str) -> http.client.HTTPResponse:
    """GET the clip as the page's <video> does (cookie, Range: bytes=0-), following one
    redirect (to the media server) like the browser."""
    url = urlsplit(base + clip_url)
    for _ in range(3):
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        path = url.path + (f"?{url.query}" if url.query else "")
        headers = {"Range": "bytes=0-"}
        if url.netloc == urlsplit(base).netloc:
            headers["Cookie"] = cookie
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        if answer.status not in (301, 302, 303, 307):
            return answer
        location = answer.getheader("Location")
        connection.close()
        url = urlsplit(urljoin(url.geturl(), location))
    raise OSError("too many redirects")


def viewer(base: str, cookie: str, clip_url: str, stop, counters, slot: int):
    """Streams the clip at 20 Mbit/s, over and over, as a playing browser would; keeps the bytes
    received and the start time in `counters[2 * slot]`, `counters[2 * slot + 1]`. Plain
    http.client and large reads: the viewers' own CPU use should not be what is measured."""
    rate = VIEWER_BITS_PER_SECOND / 8
    buffer = memoryview(bytearray(CHUNK))
    started, received = time.monotonic(), 0
    counters[2 * slot + 1] = int(started * 1e9)
    while not stop.is_set():
        try:
            answer = _open_stream(base, cookie, clip_url)
            while not stop.is_set():
                count = answer.readinto(buffer)
                if not count:
                    break
                received += count
                counters[2 * slot] = received
                ahead = received / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
            answer.close()
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)


def viewers_process(base, cookies, clip_url, stop, counters, slots):
    threads = [threading.Thread(target=viewer, args=(base, cookies, clip_url, stop, counters,
                                                     slot)) for slot in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure(studio: Studio, web: httpx.Client, editor: Editor, clip_url: str, viewers: int,
            seconds: float) -> dict:
    """The viewers run in their own processes, so that their work does not delay the timed
    live checks inside this one."""
    spawn = multiprocessing.get_context("spawn")
    stop, counters = spawn.Event(), spawn.Array("q", 2 * max(1, viewers), lock=False)
    cookies = "; ".join(f"{k}={v}" for k, v in web.cookies.items())
    groups = [list(range(viewers))[i::VIEWER_PROCESSES] for i in range(VIEWER_PROCESSES)]
    processes = [spawn.Process(target=viewers_process, args=(
        studio.url, cookies, clip_url, stop, counters, slots), daemon=True)
        for slots in groups if slots]
    for process in processes:
        process.start()
    if viewers:  # the viewers connect and start streaming first
        deadline = time.monotonic() + 30
        while (any(counters[2 * i] == 0 for i in range(viewers))
               and time.monotonic() < deadline):
            time.sleep(0.2)
        time.sleep(1)
    times, timeouts, began = [], 0, time.monotonic()
    while time.monotonic() - began < seconds:
        try:
            times.append(editor.save())
        except httpx.TimeoutException:
            timeouts += 1
        time.sleep(0.1)
    ended = time.monotonic()
    got = sum(counters[2 * i] for i in range(viewers))
    asked = sum(VIEWER_BITS_PER_SECOND / 8 * (ended - counters[2 * i + 1] / 1e9)
                for i in range(viewers))
    stop.set()
    for process in processes:
        process.join(10)
        if process.is_alive():
            process.kill()
    times.sort()
    return {"n": viewers, "saves": len(times), "timeouts": timeouts,
            "p50": statistics.median(times) if times else float("nan"),
            "p99": times[min(len(times) - 1, int(len(times) * 0.99))] if times else float("nan"),
            "max": times[-1] if times else float("nan"),
            "throughput": got / asked if asked else None}


def report(mode: str, rows: list[dict]) -> None:
    base = rows[0]
    print(f"\nmode {mode}: live check (ms) while N viewers stream at 20 Mbit/s each")
    print(f"{'N':>4} {'saves':>6} {'p50':>8} {'p99':>8} {'max':>8} {'timeouts':>9} "
          f"{'p99 / N=0':>10} {'viewers got':>12}")
    for row in rows:
        share = "-" if row["throughput"] is None else f"{row['throughput']:.0%}"
        ratio = row["p99"] / base["p99"] if base["p99"] else float("nan")
        print(f"{row['n']:>4} {row['saves']:>6} {row['p50'] * 1000:>8.1f} "
              f"{row['p99'] * 1000:>8.1f} {row['max'] * 1000:>8.1f} {row['timeouts']:>9} "
              f"{ratio:>9.1f}x {share:>12}")
    last = rows[-1]
    met = (last["p99"] <= 0.050 and not last["timeouts"]
           and (last["throughput"] is None or last["throughput"] >= 0.8))
    print(f"budget with {last['n']} viewers (p99 <= 50 ms, no timeouts, >= 80 % throughput): "
          f"{'met' if met else 'MISSED'}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", default="0,8,32", help="comma-separated N (first: baseline)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measuring time per N")
    parser.add_argument("--clip-mb", type=int, default=60, help="size of the generated clip")
    parser.add_argument("--modes", default="django,media-server",
                        help="media modes to compare (django = bytes through web threads)")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.viewers.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "large-clip.mp4"
        make_clip(clip, args.clip_mb)
        print(f"clip: {clip.stat().st_size / 1e6:.0f} MB; {args.seconds:.0f} s of live checks "
              f"per N; viewers ask for 20 Mbit/s each")
        for mode in args.modes.split(","):
            studio = Studio(mode)
            try:
                web = studio.signed_in()
                clip_url = upload_clip(web, clip)
                editor = Editor(web)
                editor.save()  # warm up
                rows = [measure(studio, web, editor, clip_url, n, args.seconds) for n in counts]
            finally:
                studio.stop()
            report(mode, rows)


if __name__ == "__main__":
    main()
