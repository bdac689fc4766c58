"""A waiting job says what it waits for — a free slot, an element being made, the vendor, the
worker — and is woken the moment it can go on, not on the next sweep; the sweep still picks up
a job whose wake was lost."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule
from jobs.conftest import video_tasks
from library.media_factory import make_image_element
from providers.sandbox_helpers import running

from storyboard.boards.models import Slot
from storyboard.jobs import wakes, worker
from storyboard.jobs.actions import cancel_job, submit_job
from storyboard.jobs.models import IN_FLIGHT, Job
from storyboard.schedules import setup_schedules

KLING = "Sandbox Kling"


def _status(client, job) -> str:
    return client.get(f"/jobs/{job.pk}/status/", HTTP_HX_REQUEST="true").content.decode()


def _full_account(cast, board, queue, sandbox_account, held=1):
    """An account with a limit of four, four jobs running on it and `held` more waiting."""
    account = sandbox_account("kling", max_jobs=4, label=KLING)
    b = board(account)
    jobs = [submit_job(b, cast.editor, f"k{n}") for n in range(4 + held)]
    queue.run_all()
    return account, jobs


def _finish_running(job):
    """Polls a running job until the sandbox has its clip, then downloads it: the worker's own
    steps, no sweep."""
    deadline = time.monotonic() + 10
    while True:
        worker.poll_job(str(job.pk))
        job.refresh_from_db()
        if job.state == "downloading":
            break
        assert time.monotonic() < deadline, job.state
        time.sleep(0.05)
    return worker.download_job(str(job.pk))


def _submits(queue) -> list[str]:
    return [args[0] for name, args in queue.tasks if name == "submit_job_task"]


@pytest.fixture
def no_sweep(monkeypatch):
    """Proves a step ran without the sweep: calling it fails the test."""
    def sweep():
        raise AssertionError("the sweep ran")
    monkeypatch.setattr(worker, "poll_due_jobs", sweep)
    monkeypatch.setattr(worker, "_restart_stale", sweep)


# --- a free slot -------------------------------------------------------------------------

def test_a_job_held_by_the_account_limit_says_which_account_and_how_busy(
        cast, board, queue, sandbox_account, client_for):
    account, jobs = _full_account(cast, board, queue, sandbox_account)
    held = Job.objects.get(pk=jobs[4].pk)
    assert [Job.objects.get(pk=j.pk).state for j in jobs[:4]] == ["submitted"] * 4
    assert (held.state, held.wait) == ("queued", "capacity")
    assert held.waiting_for == "Waiting for a free slot on Sandbox Kling: 4 of 4 busy"
    page = _status(client_for(cast.viewer), held)
    assert "Waiting for a free slot on Sandbox Kling: 4 of 4 busy" in page
    assert "· for 0 s" in page or "· for 1 s" in page
    # The team's label for the account, never the vendor's code.
    assert "kling" not in page.replace(KLING, "").lower()


def test_when_one_of_four_finishes_the_held_job_is_queued_at_that_moment(
        cast, board, queue, sandbox_account, sandbox, no_sweep):
    account, jobs = _full_account(cast, board, queue, sandbox_account)
    held = jobs[4]
    assert _finish_running(jobs[0]) == "succeeded"
    # Queued by the download's own step, with the slot already its own.
    assert _submits(queue) == [str(held.pk)]
    held.refresh_from_db()
    assert held.state == "submitting" and "A slot is free on Sandbox Kling" in held.waiting_for
    queue.run_all()
    held.refresh_from_db()
    assert held.state == "submitted" and not held.waiting_for
    assert Job.objects.filter(account=account, state__in=IN_FLIGHT).count() == 4
    assert len(video_tasks(sandbox, "kling")) == 5


def test_a_failed_or_cancelled_job_hands_its_slot_on_oldest_first(
        cast, board, queue, sandbox_account, no_sweep):
    account, jobs = _full_account(cast, board, queue, sandbox_account, held=2)
    older, newer = jobs[4], jobs[5]
    cancel_job(Job.objects.get(pk=jobs[1].pk))
    assert _submits(queue) == [str(older.pk)]
    newer.refresh_from_db()
    assert newer.waiting_for == "Waiting for a free slot on Sandbox Kling: 4 of 4 busy"
    queue.run_all()
    # A job that fails hands its slot on as well.
    Job.objects.filter(pk=jobs[2].pk).update(remote_task_id="gone-on-the-vendor")
    worker.poll_job(str(jobs[2].pk))
    assert Job.objects.get(pk=jobs[2].pk).state == "failed"
    assert _submits(queue) == [str(newer.pk)]
    queue.run_all()
    assert Job.objects.get(pk=newer.pk).state == "submitted"
    assert Job.objects.filter(account=account, state__in=IN_FLIGHT).count() == 4


def test_a_new_job_does_not_jump_the_queue_of_jobs_waiting_for_a_slot(
        cast, board, queue, sandbox_account):
    account, jobs = _full_account(cast, board, queue, sandbox_account)
    waiting = jobs[4]
    # A slot frees but its wake is lost; then a newer job asks for a slot.
    Job.objects.filter(pk=jobs[0].pk).update(state="succeeded")
    newest = submit_job(board(account), cast.editor, "newest")
    queue.tasks.clear()
    worker.submit_job_task(str(newest.pk))
    assert _submits(queue) == [str(waiting.pk)]  # the older one gets the slot
    newest.refresh_from_db()
    assert newest.waiting_for == "Waiting for a free slot on Sandbox Kling: 4 of 4 busy"


# --- restarts ----------------------------------------------------------------------------

def _make_due(job):
    Job.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_job_whose_wake_was_lost_is_still_picked_up_by_the_sweep(
        cast, board, queue, sandbox_account):
    account, jobs = _full_account(cast, board, queue, sandbox_account, held=2)
    first, second = jobs[4], jobs[5]
    # A worker died after a job finished and before it handed the slot on.
    Job.objects.filter(pk=jobs[0].pk).update(state="succeeded")
    first.refresh_from_db()
    assert first.next_attempt_at > timezone.now() + timedelta(seconds=50)  # a safety net only
    _make_due(first)
    worker.poll_due_jobs()
    assert str(first.pk) in _submits(queue)
    queue.run_all()
    assert Job.objects.get(pk=first.pk).state == "submitted"
    # A job given a slot whose task was lost on the way: the sweep hands it out again.
    Job.objects.filter(pk=jobs[1].pk).update(state="failed")
    assert wakes.fill(account.pk) == [str(second.pk)]
    assert Job.objects.get(pk=second.pk).state == "submitting"
    worker.poll_due_jobs()
    queue.run_all()
    assert Job.objects.get(pk=second.pk).state == "submitted"
    assert Job.objects.filter(account=account, state__in=IN_FLIGHT).count() == 4


# --- a known time ------------------------------------------------------------------------

def test_a_rate_limited_create_says_when_it_is_tried_again_and_is_scheduled_for_then(
        cast, board, queue, sandbox_account, client_for):
    account = sandbox_account("kling", label=KLING)
    job = submit_job(board(account, prompts=("Harbour at dawn [sandbox:429:1]", "Gulls")),
                     cast.editor, "k")
    queue.run_all()
    job.refresh_from_db()
    assert (job.state, job.wait) == ("queued", "vendor")
    at = timezone.localtime(job.waiting_until).strftime("%H:%M:%S")
    assert job.waiting_for == f"Waiting for Sandbox Kling to accept it: rate limited, retry at {at}"
    assert job.waiting_until >= timezone.now() + timedelta(seconds=6)  # the sandbox's Retry-After
    wake = Schedule.objects.get(name=f"storyboard-wake:submit_job_task:{job.pk}")
    assert (wake.func, wake.args, wake.schedule_type) == (
        "storyboard.jobs.worker.submit_job_task", repr(str(job.pk)), Schedule.ONCE)
    assert wake.next_run == job.waiting_until
    assert job.next_attempt_at == job.waiting_until + wakes.WAKE_GRACE  # the sweep: a net
    setup_schedules()  # as after every migrate: a job's wake is not one of ours to prune
    assert Schedule.objects.filter(pk=wake.pk).exists()
    assert f"retry at {at}" in _status(client_for(cast.viewer), job)
    assert queue.drive(job).state == "succeeded"


# --- elements ----------------------------------------------------------------------------

@pytest.fixture
def sandbox(tmp_path):
    """Elements take a second and a half to make, so a test sees them being made."""
    with running(tmp_path / "sandbox", delay=1.5) as sb:
        yield sb


def _element_board(board, account, cast, name="Mochi"):
    b = board(account, prompts=("@element_1 sniffs the pier", "@element_1 naps"))
    mochi = make_image_element(cast.team_a, cast.editor, name=name)
    Slot.objects.create(storyboard=b, name="element_1", element_version=mochi.current_version)
    return b


def test_a_job_waiting_for_an_element_names_it_and_the_account_and_looks_again_in_seconds(
        cast, board, queue, sandbox_account, client_for):
    account = sandbox_account("kling", label=KLING)
    job = submit_job(_element_board(board, account, cast), cast.editor, "k")
    queue.run_all()
    job.refresh_from_db()
    assert (job.state, job.wait) == ("queued", "element")
    assert job.waiting_for == "Creating element “Mochi” on Sandbox Kling…"
    wake = Schedule.objects.get(name=f"storyboard-wake:submit_job_task:{job.pk}")
    assert timezone.now() < wake.next_run <= timezone.now() + wakes.ELEMENT_RECHECK
    page = _status(client_for(cast.viewer), job)
    assert "Creating element “Mochi” on Sandbox Kling…" in page and "Queued" in page
    started = job.waiting_since
    worker.submit_job_task(str(job.pk))  # its wake: the element is still being made
    job.refresh_from_db()
    assert job.wait == "element" and job.waiting_since == started  # "for" counts from the start


def test_when_an_element_is_made_every_job_waiting_on_it_is_queued_at_once(
        cast, board, queue, sandbox_account, sandbox, no_sweep):
    account = sandbox_account("kling", label=KLING)
    b = _element_board(board, account, cast)
    first, second = (submit_job(b, cast.editor, key) for key in ("k1", "k2"))
    queue.run_all()
    assert [Job.objects.get(pk=j.pk).wait for j in (first, second)] == ["element", "element"]
    time.sleep(1.6)  # the vendor finishes the element
    worker.submit_job_task(str(first.pk))  # the first job's wake sees it made
    assert Job.objects.get(pk=first.pk).state == "submitted"
    assert _submits(queue) == [str(second.pk)]  # the second one at that moment
    queue.run_all()
    assert Job.objects.get(pk=second.pk).state == "submitted"
    assert len(video_tasks(sandbox, "kling")) == 2


# --- the worker --------------------------------------------------------------------------

def test_a_job_nobody_picked_up_says_so_and_for_how_long(cast, board, queue, client_for):
    job = submit_job(board(), cast.editor, "k")
    client = client_for(cast.viewer)
    assert "Waiting for the worker, nothing has picked it up yet" in _status(client, job)
    Job.objects.filter(pk=job.pk).update(waiting_since=timezone.now() - timedelta(seconds=95))
    page = _status(client, job)
    assert "· for 1 min 35 s" in page and "check that the worker is running" in page
    assert queue.drive(job).state == "succeeded"
    job.refresh_from_db()
    assert not job.waiting_for and job.wait == ""


def test_a_job_given_a_slot_but_not_sent_cancels_as_never_sent_and_passes_the_slot_on(
        cast, board, queue, sandbox_account, no_sweep):
    account, jobs = _full_account(cast, board, queue, sandbox_account, held=2)
    cancel_job(Job.objects.get(pk=jobs[0].pk))
    given = Job.objects.get(pk=jobs[4].pk)
    assert given.state == "submitting" and given.create_sent_at is None
    queue.tasks.clear()
    assert cancel_job(given).failure_text == "Cancelled."  # it never left
    assert _submits(queue) == [str(jobs[5].pk)]
