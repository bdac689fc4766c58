"""Two submissions at once with room under the cap for one: exactly one goes. The first to take
the team's row holds it while it reads the month's spend and makes its job; the second reads
the spend after that job exists, and is refused."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from storyboard.jobs import actions, spending
from storyboard.jobs.models import Job

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The suite's SQLite is in memory with a shared cache, which answers a lock conflict at
    # once ("table is locked") instead of queueing it as the product's file database does
    # (transaction_mode IMMEDIATE, busy timeout): the race is run on PostgreSQL.
    pytest.mark.skipif(connection.vendor == "sqlite", reason="runs in the PostgreSQL pass"),
]


def test_two_submissions_at_once_do_not_both_pass_the_cap(cast, board, rate_card, monkeypatch):
    monkeypatch.setattr(actions, "enqueue", lambda *a, **k: None)
    cast.team_a.monthly_cap = Decimal("0.70")  # room for one submission of 0.50, not two
    cast.team_a.save()
    boards = [board(title="First"), board(title="Second")]
    read = spending.spent_by_account
    first_read = threading.Event()

    def slow_read(*args, **kwargs):
        # The first to read the month's spend dawdles before making its job: without the
        # lock, the other would read the same spend meanwhile and pass too.
        spent = read(*args, **kwargs)
        if not first_read.is_set():
            first_read.set()
            time.sleep(1.0)
        return spent

    monkeypatch.setattr(spending, "spent_by_account", slow_read)
    outcomes: dict = {}

    def submit(b):
        try:
            outcomes[b.title] = actions.submit_job(b, cast.editor, f"race-{b.title}")
        except actions.SubmitRefused as refused:
            outcomes[b.title] = refused
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(b,)) for b in boards]
    threads[0].start()
    assert first_read.wait(10)
    threads[1].start()
    for t in threads:
        t.join(30)
    assert Job.objects.count() == 1
    refused = [o for o in outcomes.values() if isinstance(o, actions.SubmitRefused)]
    assert len(refused) == 1 and "over the team's cap of 0.70 USD" in str(refused[0])
    assert "spent so far this month: 0.50 USD" in str(refused[0])
