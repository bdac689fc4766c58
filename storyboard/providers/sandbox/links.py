"""Result links as the file route judges them, for the faults that play expiring and failing
downloads: ``stale-link`` (links are signed per answer and expire) and ``file5xx``. A task's
counts come from its create (``faults.download_fault_counts``, kept in ``task.info``); the
counters live on the task and are not kept across a restart, like its poll count."""

from __future__ import annotations

from .state import SandboxState, Task


def sign(state: SandboxState, task: Task) -> int | None:
    """The signature for the result links of one answer, where the task's links are signed
    (``stale-link``); None elsewhere: plain links, as before."""
    if "stale-link" not in task.faults:
        return None
    with state.lock:
        task.links_signed += 1
        return task.links_signed


def download_refusal(state: SandboxState, task: Task, sig: int | None) -> int | None:
    """The status a video download answers instead of the file, or None to send it.
    ``file5xx``: 503 for the first N downloads. ``stale-link``: 403 for a link signed before the
    last refusal, and for the first N others, each refusal expiring every link signed so far."""
    counts = task.info.get("download_faults") or {}
    with state.lock:
        task.file_fetches += 1
        if task.file_fetches <= counts.get("file5xx", 0):
            return 503
        if "stale-link" in counts:
            if sig is None or sig <= task.links_expired_upto:
                return 403
            if task.link_refusals < counts["stale-link"]:
                task.link_refusals += 1
                task.links_expired_upto = task.links_signed
                return 403
    return None
