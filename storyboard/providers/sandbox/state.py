"""The sandbox's memory: tasks, uploads, elements, renders — one lock, files in ``data_dir``.

Everything is lost on restart (files stay on disk but nothing points at them any more): it is a
simulator, and the app's jobs treat a vanished task as the vendors' "404 on poll".

A task's state is computed from the time elapsed since its create whenever someone asks, so no
thread sleeps per task; only the MP4 render runs in the background (a small pool), started at
create, and a task reports ``processing`` until its file exists.
"""

from __future__ import annotations

import base64
import binascii
import functools
import itertools
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .config import SandboxConfig
from .faults import FaultBook
from .media import Plan, Rendered, image_size, render_key, render_plan, sha_name

ASSET_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
}
FINAL = ("succeed", "failed", "cancelled")
MODERATION_TEXT = "Failure to pass the risk control system: content security (sandbox)"


@dataclass(frozen=True)
class Status:
    name: str  # submitted / processing / succeed / failed / cancelled
    progress: int
    reason: str = ""
    moderation: bool = False

    @property
    def final(self) -> bool:
        return self.name in FINAL


@dataclass
class Task:
    dialect: str
    id: str
    seq: int
    root: str  # the root URL the creator used; answers and callbacks build file URLs from it
    faults: frozenset[str]
    plan: Plan | None = None  # None for element-creation tasks
    body: dict[str, Any] = field(default_factory=dict)
    external_task_id: str | None = None
    renders: dict[str, Future[Rendered]] = field(default_factory=dict)  # variant -> render
    info: dict[str, Any] = field(default_factory=dict)  # dialect extras (count, element...)
    created: float = field(default_factory=time.monotonic)
    created_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    polls: int = 0

    @property
    def key(self) -> str:
        return f"{self.dialect}-{self.id}"

    def file_url(self, name: str) -> str:
        return f"{self.root}/files/tasks/{self.key}/{name}"

    def status(self, delay: float, now: float | None = None) -> Status:
        elapsed = (time.monotonic() if now is None else now) - self.created
        if elapsed < delay / 3:
            return Status("submitted", 0)
        if elapsed < delay:
            return Status("processing", max(1, min(99, int(100 * elapsed / delay))))
        if "fail" in self.faults:
            return Status("failed", 100, "Sandbox: generation failed on request ([sandbox:fail])")
        if self.faults & {"moderation", "moderation-task"}:
            return Status("failed", 100, MODERATION_TEXT, moderation=True)
        if "cancel" in self.faults:
            return Status("cancelled", 100, "Sandbox: cancelled on request ([sandbox:cancel])")
        for future in self.renders.values():
            if not future.done():
                return Status("processing", 99)
            if future.cancelled():
                return Status("failed", 100, "Sandbox render cancelled (the sandbox is stopping)")
            exc = future.exception()
            if exc is not None:
                return Status("failed", 100, f"Sandbox render failed: {exc}")
        return Status("succeed", 100)

    def rendered(self, variant: str) -> Rendered | None:
        future = self.renders.get(variant)
        if future is None or not future.done() or future.cancelled() or future.exception():
            return None
        return future.result()

    def updated_ms(self, status: Status, delay: float) -> int:
        step = {"submitted": 0.0, "processing": delay / 3}.get(status.name, delay)
        return self.created_ms + int(step * 1000)


@dataclass(frozen=True)
class Asset:
    name: str
    path: Path
    content_type: str
    size: int


class SandboxState:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.faults = FaultBook(config.faults)
        self.tasks: dict[tuple[str, str], Task] = {}
        self.external: dict[tuple[str, str], str] = {}  # (dialect, external id) -> task id
        self.assets: dict[str, Asset] = {}
        self.elements: dict[tuple[str, str], dict[str, Any]] = {}  # (library, id) -> element
        self.extra: dict[str, dict[Any, Any]] = {}  # dialect-private indexes (useapi works)
        self._renders: dict[str, Future[Rendered]] = {}
        self._seq = itertools.count(1)
        self._jobs: queue.SimpleQueue[tuple[Future[Rendered], Callable[[], Rendered]] | None]
        self._jobs = queue.SimpleQueue()
        # Daemon threads, not a ThreadPoolExecutor: its workers are joined at exit, so a render
        # in progress would delay Ctrl-C; an abandoned render only leaves a .part file.
        for n in range(max(1, config.render_workers)):
            threading.Thread(
                target=self._render_worker, name=f"sandbox-render-{n}", daemon=True
            ).start()
        self.stopping = threading.Event()
        for sub in ("assets", "renders"):
            (config.data_dir / sub).mkdir(parents=True, exist_ok=True)

    def next_seq(self) -> int:
        with self.lock:
            return next(self._seq)

    def add_task(self, task: Task) -> None:
        with self.lock:
            self.tasks[(task.dialect, task.id)] = task
            if task.external_task_id is not None:
                self.external[(task.dialect, task.external_task_id)] = task.id

    def find_task(self, dialect: str, task_id: str) -> Task | None:
        with self.lock:
            task = self.tasks.get((dialect, task_id))
            if task is None and (dialect, task_id) in self.external:
                task = self.tasks.get((dialect, self.external[(dialect, task_id)]))
            return task

    def task_by_key(self, key: str) -> Task | None:
        dialect, _, task_id = key.partition("-")
        return self.find_task(dialect, task_id)

    def active_count(self, dialect: str) -> int:
        delay = self.config.delay
        with self.lock:
            tasks = [t for (d, _), t in self.tasks.items() if d == dialect and t.plan]
        return sum(1 for t in tasks if not t.status(delay).final)

    def render(self, plan: Plan, watermark: str | None) -> Future[Rendered]:
        """One render per distinct (plan, size, watermark), shared by every task asking."""
        size = self.config.render_size
        key = render_key(plan, size, watermark)
        with self.lock:
            future = self._renders.get(key)
            if future is None or (future.done() and future.exception() is not None):
                out = self.config.data_dir / "renders" / f"{key}.mp4"
                future = Future()
                job = functools.partial(
                    render_plan, plan, out, size, watermark, self.config.renderer
                )
                self._jobs.put((future, job))
                self._renders[key] = future
            return future

    def store_asset(self, data: bytes, content_type: str) -> Asset:
        name = sha_name(data, ASSET_TYPES[content_type])
        path = self.config.data_dir / "assets" / name
        if not path.exists():
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(path)
        asset = Asset(name, path, content_type, len(data))
        with self.lock:
            self.assets[name] = asset
        return asset

    def asset_for_url(self, url: object) -> Asset | None:
        """The upload behind a URL this sandbox returned (any host: localhost vs 127.0.0.1)."""
        if not isinstance(url, str):
            return None
        path = urlsplit(url).path
        if not path.startswith("/files/assets/"):
            return None
        with self.lock:
            return self.assets.get(path.rsplit("/", 1)[-1])

    def image_file(self, ref: object) -> Path | None:
        """A local file for an image reference: a sandbox upload or inline base64 (kling)."""
        asset = self.asset_for_url(ref)
        if asset is not None:
            return asset.path if asset.content_type.startswith("image/") else None
        if not isinstance(ref, str) or ref.startswith(("http://", "https://")) or len(ref) < 16:
            return None
        try:
            data = base64.b64decode(ref, validate=True)
        except (binascii.Error, ValueError):
            return None
        for ctype in ("image/png", "image/jpeg"):
            if image_size(data, ctype):
                return self.store_asset(data, ctype).path
        return None

    def _render_worker(self) -> None:
        while (item := self._jobs.get()) is not None:
            future, job = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as exc:  # noqa: BLE001 - reported as the task's failure
                future.set_exception(exc)

    def close(self) -> None:
        self.stopping.set()
        with self.lock:
            for future in self._renders.values():
                future.cancel()  # only those still queued; a running render just finishes
        for _ in range(max(1, self.config.render_workers)):
            self._jobs.put(None)
