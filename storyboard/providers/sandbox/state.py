"""The sandbox's memory: tasks, uploads, elements, renders — one lock, files in ``data_dir``.

Memory is the working copy; ``data_dir`` keeps everything a restart must not lose: a record per
task and element (:mod:`.store`), the uploaded assets (content-addressed files, found again by
name) and the renders (an MP4 plus its facts). At start the records are read back, finished
renders are picked up and unfinished ones queued again, so a task created before a restart is
still found, goes on to succeed and serves its MP4. What is not kept: poll counters (a
``poll5xx`` fault may fire once more), account faults set through the control endpoint, and
callbacks still to send (polling is every client's fallback).

A task's state is computed from the wall-clock time elapsed since its create whenever someone
asks, so no thread sleeps per task; only the MP4 render runs in the background (a small pool),
started at create, and a task reports ``processing`` until its file exists.
"""

from __future__ import annotations

import functools
import os
import queue
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import references
from .config import SandboxConfig
from .faults import FaultBook
from .media import Plan, Rendered, finished_render, render_key, render_plan, sha_name
from .store import RecordStore

ASSET_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
}
ASSET_EXTENSIONS = {ext: ctype for ctype, ext in ASSET_TYPES.items()}
FINAL = ("succeed", "failed", "cancelled")
# Kling deletes outputs after 30 days (docs/providers.md, kling); older records are dropped at
# start.
KEEP_SECONDS = 30 * 24 * 3600
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
    # wall-clock seconds, not monotonic: a task's age must carry over a restart
    created: float = field(default_factory=time.time)
    polls: int = 0
    watermarks: dict[str, str | None] = field(default_factory=dict)  # variant -> watermark
    # The file route's counters (not kept across a restart, like polls): video downloads
    # asked for, and for `stale-link` the signatures handed out and expired.
    file_fetches: int = 0
    links_signed: int = 0
    links_expired_upto: int = 0
    link_refusals: int = 0

    @property
    def created_ms(self) -> int:
        return int(self.created * 1000)

    def to_record(self) -> dict[str, Any]:
        """What a restart needs (the body is not kept: base64 images make it large, and
        everything an answer reads from it is in ``plan`` and ``info``)."""
        return {
            "dialect": self.dialect,
            "id": self.id,
            "seq": self.seq,
            "root": self.root,
            "faults": sorted(self.faults),
            "plan": self.plan.to_record() if self.plan is not None else None,
            "external_task_id": self.external_task_id,
            "info": self.info,
            "created": self.created,
            "watermarks": self.watermarks,
        }

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Task:
        plan = data.get("plan")
        return cls(
            dialect=str(data["dialect"]),
            id=str(data["id"]),
            seq=int(data["seq"]),
            root=str(data["root"]),
            faults=frozenset(data.get("faults") or ()),
            plan=Plan.from_record(plan) if plan else None,
            external_task_id=data.get("external_task_id"),
            info=dict(data.get("info") or {}),
            created=float(data["created"]),
            watermarks=dict(data.get("watermarks") or {}),
        )

    @property
    def key(self) -> str:
        return f"{self.dialect}-{self.id}"

    def file_url(self, name: str, sig: int | None = None) -> str:
        """The file's address; ``sig`` (from SandboxState.sign_links) makes it a signed link."""
        signed = f"?sig={sig}" if sig is not None else ""
        return f"{self.root}/files/tasks/{self.key}/{name}{signed}"

    def status(self, delay: float, now: float | None = None) -> Status:
        elapsed = (time.time() if now is None else now) - self.created
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
        # (library, id) -> element; kling elements name their creation task by "task_id"
        self.elements: dict[tuple[str, str], dict[str, Any]] = {}
        self.element_tasks: dict[str, Task] = {}  # kling element id -> its creation task
        self.works: dict[int, Task] = {}  # useapi work id -> its task
        self._renders: dict[str, Future[Rendered]] = {}
        self._seq = 0
        self._jobs: queue.SimpleQueue[tuple[Future[Rendered], Callable[[], Rendered]] | None]
        self._jobs = queue.SimpleQueue()
        self.stopping = threading.Event()
        for sub in ("assets", "renders"):
            (config.data_dir / sub).mkdir(parents=True, exist_ok=True)
        self.records = RecordStore(config.data_dir / "records")
        self._load()
        # Daemon threads, not a ThreadPoolExecutor: its workers are joined at exit, so a render
        # in progress would delay Ctrl-C; an abandoned render only leaves a .part file, and the
        # next start renders it again.
        for n in range(max(1, config.render_workers)):
            threading.Thread(
                target=self._render_worker, name=f"sandbox-render-{n}", daemon=True
            ).start()

    # --- tasks ---------------------------------------------------------------------------
    def next_seq(self) -> int:
        with self.lock:
            self._seq += 1
            return self._seq

    def add_task(self, task: Task) -> None:
        """Keep ``task`` (in memory and on disk) before anyone is told its id."""
        with self.lock:
            self._index(task)
        self.records.save("tasks", task.key, task.to_record())

    def _index(self, task: Task) -> None:
        self.tasks[(task.dialect, task.id)] = task
        if task.external_task_id is not None:
            self.external[(task.dialect, task.external_task_id)] = task.id
        for work in task.info.get("works", ()):
            self.works[int(work)] = task
        element = task.info.get("element")
        if element:
            self.element_tasks[str(element["element_id"])] = task
        self._seq = max(self._seq, task.seq)

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

    # --- elements ------------------------------------------------------------------------
    def put_element(self, library: str, element_id: str, element: dict[str, Any]) -> None:
        with self.lock:
            self.elements[(library, element_id)] = element
        record = {"library": library, "id": element_id, "element": element}
        self.records.save("elements", f"{library}-{element_id}", record)

    def drop_element(self, library: str, element_id: str) -> dict[str, Any] | None:
        with self.lock:
            element = self.elements.pop((library, element_id), None)
        if element is not None:
            self.records.delete("elements", f"{library}-{element_id}")
        return element

    # --- renders -------------------------------------------------------------------------
    def start_render(self, task: Task, variant: str, watermark: str | None) -> None:
        """Render ``task``'s plan as ``variant`` (before :meth:`add_task`, which records it)."""
        assert task.plan is not None
        task.watermarks[variant] = watermark
        task.renders[variant] = self.render(task.plan, watermark)

    def render(self, plan: Plan, watermark: str | None) -> Future[Rendered]:
        """One render per distinct (plan, size, watermark), shared by every task asking; a
        render an earlier run finished is picked up from disk."""
        size = self.config.render_size
        key = render_key(plan, size, watermark)
        with self.lock:
            future = self._renders.get(key)
            if future is None or (future.done() and future.exception() is not None):
                out = self.config.data_dir / "renders" / f"{key}.mp4"
                future = Future()
                done = finished_render(out)
                if done is not None:
                    future.set_result(done)
                else:
                    job = functools.partial(
                        render_plan, plan, out, size, watermark, self.config.renderer,
                        self.resolve_image,
                    )
                    self._jobs.put((future, job))
                self._renders[key] = future
            return future

    def _render_worker(self) -> None:
        while (item := self._jobs.get()) is not None:
            future, job = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as exc:  # noqa: BLE001 - reported as the task's failure
                future.set_exception(exc)

    # --- assets and references -----------------------------------------------------------
    def store_asset(self, data: bytes, content_type: str) -> Asset:
        name = sha_name(data, ASSET_TYPES[content_type])
        folder = self.config.data_dir / "assets"
        path = folder / name
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
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
        if not isinstance(ref, str):
            return None
        decoded = references.decode_base64_image(ref)
        return self.store_asset(*decoded).path if decoded else None

    def image_ref(self, ref: object) -> str | None:
        """How a plan keeps an image reference: our own file when we have it, else the URL
        (fetched when the clip is rendered)."""
        path = self.image_file(ref)
        if path is not None:
            return str(path)
        if isinstance(ref, str) and ref.startswith(("http://", "https://")):
            return ref
        return None

    def resolve_image(self, ref: str) -> Path | None:
        """A local picture for a plan's reference (render time; may fetch from loopback)."""
        path = references.local_path(ref)
        if path is not None:
            return path
        asset = self.asset_for_url(ref)
        if asset is not None:
            return asset.path if asset.content_type.startswith("image/") else None
        data = references.fetch_loopback(ref)
        ctype = references.sniff_image(data) if data else None
        return self.store_asset(data, ctype).path if data and ctype else None

    # --- start and stop ------------------------------------------------------------------
    def _load(self) -> None:
        """Read back what an earlier run kept: assets, tasks (re-queueing unfinished renders)
        and elements."""
        for path in (self.config.data_dir / "assets").iterdir():
            ctype = ASSET_EXTENSIONS.get(path.suffix)
            if path.name.startswith("."):
                path.unlink(missing_ok=True)  # an upload the last process did not finish
            elif ctype is not None and path.is_file():
                self.assets[path.name] = Asset(path.name, path, ctype, path.stat().st_size)
        cutoff = time.time() - KEEP_SECONDS
        for record in self.records.load("tasks"):
            try:
                task = Task.from_record(record)
            except (KeyError, TypeError, ValueError) as exc:
                print(f"sandbox: skipping a task record ({exc!r})", file=sys.stderr)
                continue
            if task.created < cutoff:
                self.records.delete("tasks", task.key)
                continue
            if task.plan is not None:
                for variant, watermark in task.watermarks.items():
                    task.renders[variant] = self.render(task.plan, watermark)
            self._index(task)
        for record in self.records.load("elements"):
            element = record.get("element")
            if isinstance(element, dict):
                self.elements[(str(record.get("library")), str(record.get("id")))] = element

    def close(self) -> None:
        self.stopping.set()
        with self.lock:
            for future in self._renders.values():
                future.cancel()  # only those still queued; a running render just finishes
        for _ in range(max(1, self.config.render_workers)):
            self._jobs.put(None)
