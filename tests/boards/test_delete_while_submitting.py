"""Deleting a storyboard while someone submits it: one of the two wins cleanly. Either the job
lands first and the delete is refused, or the storyboard is gone and the submit says so — never
a server error, never a deleted storyboard with a job still queued for it."""

import threading

import pytest
from django.db import connection

from storyboard.boards import actions as board_actions
from storyboard.boards.models import Storyboard
from storyboard.jobs import actions as job_actions
from storyboard.jobs.models import Job

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The suite's SQLite is in memory with a shared cache, which answers a lock conflict at
    # once ("table is locked") instead of queueing it as the product's file database does
    # (transaction_mode IMMEDIATE, busy timeout): the race is run on PostgreSQL.
    pytest.mark.skipif(connection.vendor == "sqlite", reason="runs in the PostgreSQL pass"),
]


def _submit_in_another_connection(board, user, outcome):
    try:
        outcome["job"] = job_actions.submit_job(board, user, "race-key")
    except Exception as error:  # noqa: BLE001 - the test reports whatever happened
        outcome["error"] = error
    finally:
        connection.close()


def test_a_submit_arriving_during_the_delete_finds_the_storyboard_gone(
        cast, board, monkeypatch):
    monkeypatch.setattr(job_actions, "enqueue", lambda *a, **k: None)
    outcome: dict = {}
    count = board_actions.running_jobs
    submitter = None

    def count_then_let_a_submit_in(b):
        # Inside the delete, after its running-jobs count: a submit arrives now.
        nonlocal submitter
        running = count(b)
        submitter = threading.Thread(target=_submit_in_another_connection,
                                     args=(board, cast.editor, outcome))
        submitter.start()
        submitter.join(timeout=1.5)  # with the row locked it waits for the delete
        return running

    monkeypatch.setattr(board_actions, "running_jobs", count_then_let_a_submit_in)
    board_actions.delete_storyboard(board)
    submitter.join(timeout=30)
    assert not Storyboard.objects.filter(pk=board.pk).exists()
    assert not Job.objects.exists(), "a job was queued for a storyboard that was deleted"
    assert isinstance(outcome.get("error"), job_actions.SubmitRefused)
    assert "deleted" in str(outcome["error"])


def test_a_submit_that_landed_first_makes_the_delete_refuse(cast, board, monkeypatch):
    monkeypatch.setattr(job_actions, "enqueue", lambda *a, **k: None)
    job_actions.submit_job(board, cast.editor, "first")
    with pytest.raises(board_actions.BoardError, match="still running"):
        board_actions.delete_storyboard(board)
    assert Storyboard.objects.filter(pk=board.pk).exists()
