"""A worker process runs due schedules every few seconds, not on django-q2's 30-second beat:
a job's wake at its Retry-After, or the poll sweep moved to the next due poll, runs on time."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule
from django_q.signing import SignedPackage

from storyboard.jobs import ticker

pytestmark = pytest.mark.django_db(transaction=True)


class Broker:
    """Keeps what the schedule runner queues, instead of a real queue's broker."""

    list_key = "test"

    def __init__(self):
        self.funcs: list[str] = []

    def enqueue(self, pack):
        self.funcs.append(SignedPackage.loads(pack)["func"])
        return len(self.funcs)


def test_a_schedule_due_in_a_second_runs_within_seconds(monkeypatch):
    monkeypatch.setattr(ticker, "TICK_SECONDS", 0.2)
    broker = Broker()
    monkeypatch.setattr("django_q.brokers.get_broker", lambda *args: broker)
    Schedule.objects.all().delete()  # the recurring ones registered after migrate: not here
    wake = Schedule.objects.create(name="storyboard-wake:poll_job:test", func="math.floor",
                                   args="1.5", schedule_type=Schedule.ONCE, repeats=-1,
                                   next_run=timezone.now() + timedelta(seconds=1))
    ticker.start(sender="django_q", proc_name="Process-test")  # as a worker process starts
    try:
        # django-q2's own beat would take up to 30 s. The test database is SQLite in memory,
        # which refuses a second connection at once instead of waiting: look once it stopped.
        time.sleep(4)
    finally:
        ticker.stop()
    assert not Schedule.objects.filter(pk=wake.pk).exists(), "the schedule did not run"
    assert broker.funcs == ["math.floor"]  # its task went to the queue, once


def test_no_ticker_where_the_steps_run_in_the_calling_process(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)  # omni_batch: "workers" run inside the command
    ticker.start(sender="django_q", proc_name="Process-sync")
    assert ticker._ticker is None or not ticker._ticker.is_alive()
