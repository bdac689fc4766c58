"""A job whose provider account vanished (the admin deleted it, or a race with Team settings)
ends failed saying the account was removed, at whichever step it was: no task crashes, and the
poll sweep goes on with every other job."""

from datetime import timedelta

from django.utils import timezone

from storyboard.jobs import worker
from storyboard.jobs.actions import submit_job
from storyboard.jobs.models import Job
from storyboard.teams.models import ProviderAccount

REASON = "The account was removed"


def _gone(account) -> None:
    """Deleted behind Team settings' back, as the admin or a race can (Job.account: SET_NULL)."""
    ProviderAccount.objects.filter(pk=account.pk).delete()


def _make_due() -> None:
    Job.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def _ended_for_the_account(job: Job) -> bool:
    job.refresh_from_db()
    return (job.state, job.failure, job.account_id) == ("failed", "lost", None) \
        and job.failure_text.startswith(REASON) and job.next_attempt_at is None


def test_a_queued_job_is_not_sent(cast, board, queue, sandbox_account, sandbox):
    account = sandbox_account("kling")
    job = submit_job(board(account), cast.editor, "k")
    _gone(account)
    queue.run_all()
    assert _ended_for_the_account(job)
    assert sandbox.state.tasks == {}


def test_the_sweep_ends_a_running_job_whose_account_is_gone_and_polls_the_others(
        cast, board, queue, sandbox_account):
    gone, kept = sandbox_account("kling"), sandbox_account("useapi")
    orphan = submit_job(board(gone, title="Kitchen"), cast.editor, "k1")
    other = submit_job(board(kept, title="Coast"), cast.editor, "k2")
    queue.run_all()
    assert set(Job.objects.values_list("state", flat=True)) == {"submitted"}
    _gone(gone)
    _make_due()
    assert worker.poll_due_jobs()["polled"] == 2
    assert _ended_for_the_account(orphan)
    other.refresh_from_db()
    # Still alive, whatever step the sandbox's clock has reached (it may be done already).
    assert other.state in ("submitted", "processing", "downloading") and other.failure == ""
    other = queue.drive(other)
    assert other.state == "succeeded" and other.clips.count() == 1


def test_a_single_poll_of_such_a_job_does_not_crash(cast, board, queue, sandbox_account):
    account = sandbox_account("kling")
    job = submit_job(board(account), cast.editor, "k")
    queue.run_all()
    _gone(account)
    assert worker.poll_job(str(job.pk)) == "failed"
    assert _ended_for_the_account(job)


def test_a_finished_task_is_not_downloaded_without_its_account(cast, board, queue,
                                                               sandbox_account):
    account = sandbox_account("kling")
    job = submit_job(board(account), cast.editor, "k")
    queue.run_all()
    Job.objects.filter(pk=job.pk).update(state="downloading", claimed_until=None,
                                         result_files=[{"url": "https://cdn.example/v.mp4"}])
    _gone(account)
    assert worker.download_job(str(job.pk)) == "no account"
    assert _ended_for_the_account(job) and not job.clips.exists()


def test_a_timed_out_job_checked_late_stops_being_polled(cast, board, queue, sandbox_account):
    account = sandbox_account("kling")
    job = submit_job(board(account), cast.editor, "k")
    queue.run_all()
    Job.objects.filter(pk=job.pk).update(state="failed", failure="timed_out")
    _gone(account)
    _make_due()
    worker.poll_due_jobs()
    assert _ended_for_the_account(job)
    _make_due()
    assert worker.poll_due_jobs()["polled"] == 0


def test_the_local_animatic_needs_no_account(cast, board, queue):
    job = queue.drive(submit_job(board(), cast.editor, "k"))
    assert (job.state, job.account_id) == ("succeeded", None)
