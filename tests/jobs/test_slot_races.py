"""Workers racing for an account's free slots: slots freed and asked for at the same moment by
many connections are each given once, oldest job first, and the limit is never exceeded."""

import threading

import pytest
from django.db import connection

from storyboard.jobs import rows, wakes
from storyboard.jobs.actions import submit_job
from storyboard.jobs.models import IN_FLIGHT, Job, State

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The suite's SQLite is in memory with a shared cache, which answers a lock conflict at
    # once ("table is locked") instead of queueing it as the product's file database does
    # (transaction_mode IMMEDIATE, busy timeout): the race is run on PostgreSQL.
    pytest.mark.skipif(connection.vendor == "sqlite", reason="runs in the PostgreSQL pass"),
]

LIMIT = 4


def _in_threads(calls) -> list:
    """Runs every call at the same moment, each on its own database connection."""
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test reports whatever happened
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _admit(job_id):
    admission = wakes.admit(job_id, lambda row: rows.claim(
        job_id, [State.QUEUED], State.SUBMITTING))
    granted = list(admission.granted)
    if admission.job is not None:
        granted.append(str(admission.job.pk))
    return granted


@pytest.mark.parametrize("round_", range(3))
def test_slots_freed_and_asked_for_at_once_are_each_given_once_oldest_first(
        round_, cast, board, queue, sandbox_account):
    account = sandbox_account("kling", max_jobs=LIMIT, label="Sandbox Kling")
    b = board(account)
    jobs = [submit_job(b, cast.editor, f"k{n}") for n in range(16)]
    ids = [str(j.pk) for j in jobs]
    running, waiting, asking = ids[:LIMIT], ids[LIMIT:10], ids[10:]
    Job.objects.filter(pk__in=running).update(state=State.SUBMITTED, wait="")
    Job.objects.filter(pk__in=waiting).update(wait="capacity")
    # Two running jobs end; four workers hand the freed slots on while six new jobs ask.
    Job.objects.filter(pk__in=running[:2]).update(state=State.SUCCEEDED)
    results = _in_threads([lambda: wakes.fill(account.pk)] * 4
                          + [lambda job_id=job_id: _admit(job_id) for job_id in asking])

    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    given = [job_id for granted in results for job_id in granted]
    assert sorted(given) == sorted(waiting[:2])  # each slot once, to the two oldest waiting
    assert Job.objects.filter(account=account, state__in=IN_FLIGHT).count() == LIMIT
    for job in Job.objects.filter(pk__in=waiting[2:] + asking):
        assert (job.state, job.wait) == ("queued", "capacity")
        assert job.waiting_for == "Waiting for a free slot on Sandbox Kling: 4 of 4 busy"


def test_submits_of_many_queued_jobs_at_once_never_run_more_than_the_limit(
        cast, board, queue, sandbox_account):
    account = sandbox_account("kling", max_jobs=LIMIT, label="Sandbox Kling")
    b = board(account)
    ids = [str(submit_job(b, cast.editor, f"k{n}").pk) for n in range(12)]
    results = _in_threads([lambda job_id=job_id: _admit(job_id) for job_id in ids])

    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    given = [job_id for granted in results for job_id in granted]
    assert len(given) == len(set(given)) == LIMIT
    assert Job.objects.filter(account=account, state__in=IN_FLIGHT).count() == LIMIT
    assert Job.objects.filter(account=account, wait="capacity").count() == len(ids) - LIMIT
