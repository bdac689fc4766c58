"""Callbacks (useapi ``replyUrl``, kling/cometapi ``callback_url``, apimart ``webhook``).

One daemon thread per task that asked for them: it wakes at each state change, POSTs the
dialect's payload with a short timeout and a few retries, and gives up quietly — a receiver that
is down must never disturb the sandbox.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from .state import SandboxState, Status, Task

# (status, payload) for the task now; payload None = nothing to send (e.g. a vanished task)
PayloadFn = Callable[[Task, Status], dict[str, Any] | None]

# Direct connections only: a callback to 127.0.0.1 must not go through an environment proxy.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
MAX_LIFETIME = 900.0  # seconds; a render that never ends must not keep a thread forever


def deliver(url: str, payload: dict[str, Any], timeout: float, retries: int) -> bool:
    data = json.dumps(payload).encode()
    for attempt in range(max(1, retries)):
        request = urllib.request.Request(  # noqa: S310 - http(s) checked when the task was created
            url, data=data, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with _OPENER.open(request, timeout=timeout) as answer:
                if answer.status < 500:
                    return True
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return True  # the receiver answered; a 4xx is its business, not worth a retry
        except (OSError, ValueError):
            pass
        time.sleep(min(2.0, 0.2 * 2**attempt))
    print(f"sandbox: callback to {url} failed after {retries} tries", file=sys.stderr)
    return False


def start(state: SandboxState, task: Task, url: str, payload: PayloadFn) -> threading.Thread:
    """Send one callback per state — submitted, processing, then the final one — in order, even
    when a slow receiver or a retry makes the thread late for a phase (vendors send each change)."""

    def wait_for(ready: Callable[[Status], bool], deadline: float) -> Status | None:
        poll = max(0.02, min(0.25, state.config.delay / 6))
        while not state.stopping.is_set() and time.monotonic() < deadline:
            status = task.status(state.config.delay)
            if ready(status):
                return status
            state.stopping.wait(poll)
        return None

    def run() -> None:
        deadline = time.monotonic() + state.config.delay + MAX_LIFETIME
        phases: list[tuple[str, Callable[[Status], bool]]] = [
            ("submitted", lambda s: True),
            ("processing", lambda s: s.name != "submitted"),
            ("final", lambda s: s.final),
        ]
        try:
            for phase, ready in phases:
                status = wait_for(ready, deadline)
                if status is None:
                    return
                if phase != "final" and status.name != phase:
                    # late for this phase: tell it anyway, as the vendor would have
                    status = Status(phase, 0 if phase == "submitted" else 99)
                body = payload(task, status)
                if body is None:
                    return
                deliver(url, body, state.config.callback_timeout, state.config.callback_retries)
        except Exception as exc:  # noqa: BLE001 - a callback must never take the server down
            print(f"sandbox: callback thread for {task.key} stopped: {exc!r}", file=sys.stderr)

    thread = threading.Thread(target=run, name=f"sandbox-callback-{task.key}", daemon=True)
    thread.start()
    return thread
