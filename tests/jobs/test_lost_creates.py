"""A create whose answer never came back is never paid twice: the task is looked up by our job
id with backoff, sent again only where the vendor refuses duplicates, and otherwise the job ends
"needs attention" with what to check — never left in Submitting."""

from datetime import timedelta

from django.utils import timezone
from jobs.conftest import video_tasks
from jobs.transports import (
    Faulty,
    answer,
    connect_error,
    is_create,
    is_lookup,
    timeout_after_sending,
    timeout_before_arriving,
    times,
    use,
    when,
)

from storyboard.jobs import worker
from storyboard.jobs.actions import submit_job
from storyboard.jobs.models import Job

NOT_LISTED = {"code": 1203, "message": "task not found", "request_id": "r", "data": None}


def _creates(faulty: Faulty) -> int:
    return faulty.count("POST", lambda path: path.endswith("/omni-video"))


def _job(cast, board, sandbox_account):
    return submit_job(board(sandbox_account("kling")), cast.editor, "k")


def _lookups(faulty: Faulty, job) -> int:
    return faulty.count("GET", lambda path: path.endswith(f"/{job.pk}"))


def test_a_create_that_timed_out_but_arrived_is_found_and_the_job_succeeds(
        cast, board, queue, sandbox_account, sandbox, monkeypatch):
    faulty = Faulty(times(1, when(is_create, timeout_after_sending)))
    use(monkeypatch, faulty)
    job = queue.drive(_job(cast, board, sandbox_account))
    assert job.state == "succeeded", job.failure_text
    tasks = video_tasks(sandbox, "kling")
    assert [t.id for t in tasks] == [job.remote_task_id]
    assert _creates(faulty) == 1 and job.attempts == 1 and not job.create_resent


def test_a_task_the_vendor_lists_late_is_still_found_not_sent_again(
        cast, board, queue, sandbox_account, sandbox, monkeypatch):
    job = _job(cast, board, sandbox_account)
    faulty = Faulty(times(1, when(is_create, timeout_after_sending)),
                    times(2, when(is_lookup(str(job.pk)), answer(404, NOT_LISTED))))
    use(monkeypatch, faulty, idempotent_create=True)
    queue.run_all()
    job.refresh_from_db()
    assert job.state == "submitting" and "looking the task up" in job.failure_text
    assert job.next_attempt_at > timezone.now()  # with backoff, not at once
    job = queue.drive(job)
    assert job.state == "succeeded", job.failure_text
    assert _lookups(faulty, job) == 3 and _creates(faulty) == 1
    assert len(video_tasks(sandbox, "kling")) == 1


def test_nothing_found_on_a_vendor_that_refuses_duplicates_is_sent_again_once(
        cast, board, queue, sandbox_account, sandbox, monkeypatch, settings):
    settings.STORYBOARD_LOST_CREATE_SETTLE = 0
    faulty = Faulty(times(1, when(is_create, timeout_before_arriving)))
    use(monkeypatch, faulty, idempotent_create=True)
    job = queue.drive(_job(cast, board, sandbox_account))
    assert job.state == "succeeded", job.failure_text
    assert job.create_resent and _creates(faulty) == 2
    assert len(video_tasks(sandbox, "kling")) == 1


def test_a_resent_create_that_is_lost_again_needs_attention(
        cast, board, queue, sandbox_account, sandbox, monkeypatch, settings):
    settings.STORYBOARD_LOST_CREATE_SETTLE = 0
    faulty = Faulty(when(is_create, timeout_before_arriving))
    use(monkeypatch, faulty, idempotent_create=True)
    job = queue.drive(_job(cast, board, sandbox_account))
    assert (job.state, job.failure, job.needs_attention) == ("failed", "lost", True)
    assert _creates(faulty) == 2 and "sent again" in job.failure_text


def test_nothing_found_where_duplicates_are_not_refused_needs_attention(
        cast, board, queue, sandbox_account, sandbox, monkeypatch, settings):
    settings.STORYBOARD_LOST_CREATE_SETTLE = 0
    faulty = Faulty(when(is_create, timeout_before_arriving))
    use(monkeypatch, faulty, idempotent_create=False)
    job = queue.drive(_job(cast, board, sandbox_account))
    assert (job.state, job.failure, job.needs_attention) == ("failed", "lost", True)
    assert _creates(faulty) == 1 and not job.create_resent
    assert "not sent again" in job.failure_text and "dashboard" in job.failure_text
    assert str(job.pk) in job.failure_text
    assert video_tasks(sandbox, "kling") == []


def test_lookups_that_keep_failing_are_bounded_then_need_attention(
        cast, board, queue, sandbox_account, sandbox, monkeypatch, settings):
    settings.STORYBOARD_LOST_CREATE_LOOKUPS = 3
    job = _job(cast, board, sandbox_account)
    faulty = Faulty(when(is_create, timeout_after_sending),
                    when(is_lookup(str(job.pk)), connect_error))
    use(monkeypatch, faulty, idempotent_create=True)
    job = queue.drive(job)
    assert (job.state, job.failure, job.needs_attention) == ("failed", "lost", True)
    assert _lookups(faulty, job) == 3 and _creates(faulty) == 1
    assert "3 lookups" in job.failure_text and "dashboard" in job.failure_text
    assert len(video_tasks(sandbox, "kling")) == 1  # paid once, and never sent again


def test_lookups_stop_when_the_lost_create_is_too_old(cast, board, queue, sandbox_account,
                                                      sandbox, monkeypatch):
    job = _job(cast, board, sandbox_account)
    faulty = Faulty(when(is_create, timeout_after_sending),
                    when(is_lookup(str(job.pk)), connect_error))
    use(monkeypatch, faulty, idempotent_create=True)
    queue.run_all()
    job.refresh_from_db()
    assert job.state == "submitting" and job.create_lookups == 1
    # Half an hour later (STORYBOARD_LOST_CREATE_MAX_AGE's default), the next failure ends it.
    Job.objects.filter(pk=job.pk).update(create_sent_at=timezone.now() - timedelta(hours=1))
    job = queue.drive(job)
    assert (job.state, job.needs_attention, job.create_lookups) == ("failed", True, 2)


def test_a_submit_whose_worker_keeps_dying_ends_instead_of_looping(
        cast, board, queue, sandbox_account, monkeypatch):
    def crash(job, provider):
        raise RuntimeError("the worker process died here")

    monkeypatch.setattr(worker, "_send", crash)
    job = _job(cast, board, sandbox_account)
    crashes = 0
    for _ in range(10):
        try:
            queue.run_all()
        except RuntimeError:
            crashes += 1
        job.refresh_from_db()
        if job.is_final:
            break
        assert job.state == "submitting"
        # The lease runs out, as it would after the worker died; the sweep restarts the job.
        Job.objects.filter(pk=job.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
        worker.poll_due_jobs()
    assert (job.state, job.failure, job.needs_attention) == ("failed", "lost", True)
    assert "worker stopped" in job.failure_text and crashes == 6


def test_a_lost_create_whose_credentials_became_unreadable_ends_instead_of_looping(
        cast, board, queue, sandbox_account, settings):
    job = _job(cast, board, sandbox_account)
    Job.objects.filter(pk=job.pk).update(state="submitting", create_sent_at=timezone.now())
    settings.STORYBOARD_CREDENTIALS_KEY = "a key that did not encrypt them"
    assert worker.submit_job_task(str(job.pk)) == "credentials"
    job.refresh_from_db()
    assert (job.state, job.failure, job.needs_attention) == ("failed", "authentication", True)
    assert "enter them again" in job.failure_text
