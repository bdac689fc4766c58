"""Due schedules run within seconds, not on django-q2's half-minute beat.

django-q2's cluster runs due schedules from its guard loop once every 30 seconds (the loop adds
its cycle's seconds to a counter and calls the runner at 30, whatever `guard_cycle` is). That is
too coarse for a job woken at its Retry-After or at the next look at an element being made
(jobs/wakes.py), and for the poll sweep moved to when the next job is due (jobs/callbacks.py).
So every worker process also runs django-q2's own schedule runner every `TICK_SECONDS`, in a
daemon thread started when the process starts (django-q2's `post_spawn` signal). The runner
locks the schedules it runs (`SELECT … FOR UPDATE`) and moves or deletes each one before it
lets go, so several runners at once run each schedule once.
"""

from __future__ import annotations

import logging
import threading

from django_q.conf import Conf

log = logging.getLogger(__name__)

TICK_SECONDS = 2.0
_started = threading.Lock()
_ticker: threading.Thread | None = None
_stopping = threading.Event()


def start(**_signal) -> None:
    """Receiver of django-q2's `post_spawn`: one ticker per worker process. Not under the `sync`
    option, where "workers" run inside the calling process (omni_batch), and not in a cluster
    told to run no schedules."""
    global _ticker
    if Conf.SYNC or not Conf.SCHEDULER:
        return
    with _started:
        if _ticker is not None and _ticker.is_alive():
            return
        _stopping.clear()
        _ticker = threading.Thread(target=_run, name="storyboard-schedule-ticker", daemon=True)
        _ticker.start()


def stop() -> None:
    """Ends this process's ticker (a worker process simply exits; tests stop it)."""
    _stopping.set()
    if _ticker is not None:
        _ticker.join(timeout=TICK_SECONDS * 3)


def _run() -> None:
    from django.db import connection
    from django_q.brokers import get_broker
    from django_q.scheduler import scheduler

    broker = get_broker()
    try:
        while not _stopping.wait(TICK_SECONDS):
            try:
                scheduler(broker=broker)  # logs its own failures; a next tick tries again
            except Exception:  # never let the thread die: the cluster's own beat is 30 s
                log.exception("running due schedules failed")
    finally:
        connection.close()
