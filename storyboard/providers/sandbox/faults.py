"""Fault injection: per prompt keyword and per account.

A keyword anywhere in a prompt (the main one or any shot's) asks for a fault:
``[sandbox:429]``, or with a count, ``[sandbox:429:3]``. Per account (one per dialect),
``SandboxConfig.faults`` or ``POST /_sandbox/faults {"dialect", "fault", "times"}`` make the next
``times`` creates on that dialect behave as if their prompt carried the keyword.

Create-time faults that a retry should get past (``429``, ``5xx``) fail the first N creates of the
same prompts (N from the keyword, default 1) and then let them through, so a client's backoff can
be exercised with one unchanged body.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .config import DIALECTS

FAULTS = {
    "429": "create answers 429 with Retry-After (kling code 1303) for the first N creates",
    "5xx": "create answers 500/503 once (or N times), then normally",
    "moderation": "create refused by moderation (useapi 500 CM_EXT, kling 1301); apimart: failed",
    "moderation-task": "the task fails on moderation (useapi poll 500 CM_EXT, kling failed task)",
    "credits": "create refused for credits (kling 429 code 1102, useapi 400, cometapi 403, "
    "apimart 402)",
    "slow": "create and polls answer after slow_seconds",
    "late-answer": "create makes the task, then answers only after slow_seconds (a client that "
    "timed out has still paid)",
    "poll404": "polls answer 404 once the task would have finished",
    "poll5xx": "the first poll answers 503 once",
    "fail": "the task ends failed with a reason",
    "cancel": "the task ends cancelled (apimart's status; failed elsewhere)",
    "truncate": "the video download sends half the bytes under the full Content-Length",
    "expired": "the video download answers 403 as an expired URL (apimart expires_at passed)",
    "stale-link": "result links are signed per answer; a download answers 403 as expired for "
    "links signed before it, N times (expiring every link signed so far), then polling again "
    "signs links that work",
    "file5xx": "the first N video downloads answer 503, then the file",
    "wrapped": "cometapi polls answer in the wrapped form (data.status, data.data.task_result)",
    "url-list": "apimart result url as a list",
    "url-string": "apimart result url as a string",
}
CREATE_FAULTS = ("429", "5xx", "moderation", "credits")
# Faults of the file route that count (N from the keyword, 1 for an account fault).
DOWNLOAD_FAULTS = ("stale-link", "file5xx")
KEYWORD_RE = re.compile(r"\[sandbox:([a-z0-9-]+)(?::(\d{1,3}))?\]")


@dataclass(frozen=True)
class Keywords:
    counts: Mapping[str, int]  # fault -> N (default 1)

    def __contains__(self, fault: object) -> bool:
        return fault in self.counts

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.counts)


def find_keywords(texts: Iterable[str]) -> Keywords:
    counts: dict[str, int] = {}
    for text in texts:
        for m in KEYWORD_RE.finditer(text or ""):
            if m.group(1) in FAULTS:
                counts[m.group(1)] = int(m.group(2)) if m.group(2) else 1
    return Keywords(counts)


def download_fault_counts(active: Iterable[str], texts: Iterable[str]) -> dict[str, int]:
    """N for each counting download fault a create carries (kept in the task's info)."""
    counts = find_keywords(texts).counts
    return {fault: counts.get(fault, 1) for fault in DOWNLOAD_FAULTS if fault in set(active)}


def fingerprint(dialect: str, texts: Iterable[str]) -> str:
    return hashlib.sha256("\x00".join((dialect, *texts)).encode()).hexdigest()[:16]


class FaultBook:
    """Account faults still to hand out and keyword counters, behind one lock."""

    def __init__(self, initial: Mapping[str, Mapping[str, int]] | None = None) -> None:
        self._lock = threading.Lock()
        self._account: dict[str, dict[str, int]] = {d: {} for d in DIALECTS}
        self._seen: dict[tuple[str, str], int] = {}
        for dialect, faults in (initial or {}).items():
            for fault, times in faults.items():
                self.add(dialect, fault, times)

    def add(self, dialect: str, fault: str, times: int) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {dialect!r}; one of {', '.join(DIALECTS)}")
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {', '.join(FAULTS)}")
        if isinstance(times, bool) or not isinstance(times, int) or not 0 <= times <= 1000:
            raise ValueError("times must be an integer from 0 to 1000")
        with self._lock:
            if times:
                self._account[dialect][fault] = times
            else:
                self._account[dialect].pop(fault, None)

    def clear(self) -> None:
        with self._lock:
            for faults in self._account.values():
                faults.clear()
            self._seen.clear()

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {d: dict(f) for d, f in self._account.items()}

    def for_create(self, dialect: str, texts: list[str]) -> tuple[frozenset[str], str | None]:
        """The faults a create carries, and the create-time one that refuses it now (if any).

        Account faults are consumed here (one per create each); keyword 429/5xx refuse only
        the first N creates of the same prompts.
        """
        kw = find_keywords(texts)
        active = set(kw.names)
        refuse: str | None = None
        fp = fingerprint(dialect, texts)
        with self._lock:
            pending = self._account[dialect]
            for fault in list(pending):
                pending[fault] -= 1
                if pending[fault] <= 0:
                    del pending[fault]
                active.add(fault)
                if fault in CREATE_FAULTS and refuse is None:
                    refuse = fault  # an account fault refuses this very create
            for fault in CREATE_FAULTS:
                if refuse is not None or fault not in kw:
                    continue
                if fault in ("429", "5xx"):
                    n = self._seen.get((fp, fault), 0) + 1
                    self._seen[(fp, fault)] = n
                    if n <= kw.counts[fault]:
                        refuse = fault
                else:
                    refuse = fault
        return frozenset(active), refuse
