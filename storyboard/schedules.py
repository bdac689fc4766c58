"""Recurring django-q2 tasks, registered idempotently by name.

`setup_schedules()` runs after every `migrate` and at every `studio` start; running it again
updates the existing rows instead of adding duplicates. Later features add their entries here
(the job poll sweep, for one).
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "storyboard:"


@dataclass(frozen=True)
class Recurring:
    name: str
    func: str
    minutes: int


SCHEDULES: tuple[Recurring, ...] = (
    Recurring("housekeeping", "storyboard.teams.tasks.housekeeping", minutes=60),
    # Runs at least every minute; each sweep moves its next run to when the next job is due.
    Recurring("poll-sweep", "storyboard.jobs.worker.poll_due_jobs", minutes=1),
    # Partial downloads and unchecked clips a killed worker left behind; with media on S3,
    # also objects no row names (storyboard/storage_sweep.py).
    Recurring("leftover-files", "storyboard.storage.sweep_leftover_files", minutes=60),
    # Webhook deliveries due for another attempt (storyboard/webhooks/sending.py).
    Recurring("webhook-retries", "storyboard.webhooks.sending.send_due_deliveries", minutes=1),
    # Finished webhook deliveries older than 30 days.
    Recurring("webhook-prune", "storyboard.webhooks.sending.prune_deliveries", minutes=60),
)


def setup_schedules() -> list[str]:
    from django_q.models import Schedule

    names = []
    for item in SCHEDULES:
        name = PREFIX + item.name
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": item.func,
                "schedule_type": Schedule.MINUTES,
                "minutes": item.minutes,
                "repeats": -1,
            },
        )
        names.append(name)
    # Entries of ours that the code no longer lists would otherwise run a missing function.
    Schedule.objects.filter(name__startswith=PREFIX).exclude(name__in=names).delete()
    return names
