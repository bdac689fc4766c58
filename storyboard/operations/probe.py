"""Reading a /healthz answer from outside the process (launchers, tests, benchmarks); no Django
here, so a script can use it before or without settings."""

from __future__ import annotations

import json


def serving(status_code: int, body: bytes) -> bool:
    """Is this /healthz answer from a web process that is up and reaches its database? What a
    launcher waits for before it says "ready": the worker's first poll sweep may come a few
    seconds later, so a 503 that names only the sweep still means the web side is serving."""
    if status_code not in (200, 503):
        return False
    try:
        return json.loads(body)["database"]["ok"] is True
    except (ValueError, KeyError, TypeError):
        return False
