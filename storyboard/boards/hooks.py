"""Questions the boards app asks other apps, answered by them once they exist.

The jobs app tells how many of a storyboard's jobs are still under way (deleting a storyboard is
refused while any are) by registering a counter at start-up::

    from storyboard.boards import hooks
    hooks.running_jobs_counter = lambda board: Job.objects.filter(
        storyboard=board, state__in=NOT_FINAL).count()
"""

from __future__ import annotations

from collections.abc import Callable

running_jobs_counter: Callable[[object], int] | None = None


def running_jobs(board) -> int:
    """Jobs of `board` not yet in a final state (0 until the jobs app registers its counter)."""
    if running_jobs_counter is None:
        return 0
    return int(running_jobs_counter(board))
