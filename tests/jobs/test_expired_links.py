"""A result link that answers as expired (403 from a CDN) is not fetched again and again: where
the dialect signs fresh links when the task is polled again, the worker asks for them a bounded
number of times; elsewhere the job ends at once saying so. A busy file server (503) is still
retried with backoff. The sandbox counts every video download it answers."""

from jobs.conftest import video_tasks

from storyboard.jobs import downloads
from storyboard.jobs.actions import submit_job
from storyboard.jobs.failures import LINK_EXPIRED


def _run(cast, board, queue, account, fault: str):
    job = submit_job(board(account, prompts=(f"A lighthouse {fault}", "Waves")), cast.editor,
                     "k")
    return queue.drive(job, timeout=60)


def test_a_fresh_link_from_a_second_poll_delivers_the_clip(cast, board, queue,
                                                           sandbox_account, sandbox):
    job = _run(cast, board, queue, sandbox_account("kling"), "[sandbox:stale-link]")
    assert job.state == "succeeded", job.failure_text
    assert job.clips.count() == 1
    task = video_tasks(sandbox, "kling")[0]
    assert task.link_refusals == 1 and task.links_signed >= 2  # polled again, signed anew
    assert task.file_fetches <= len(job.result_files) + 1


def test_links_that_keep_expiring_are_asked_for_a_bounded_number_of_times(
        cast, board, queue, sandbox_account, sandbox):
    job = _run(cast, board, queue, sandbox_account("useapi"), "[sandbox:stale-link:9]")
    assert (job.state, job.failure) == ("failed", "provider_error")
    assert "had expired, and so had the fresh ones" in job.failure_text
    assert "(2 times)" in job.failure_text and "answered 403 Forbidden" in job.failure_text
    task = video_tasks(sandbox, "useapi")[0]
    rounds = downloads.MAX_LINK_REFRESHES + 1
    assert task.link_refusals == rounds
    assert task.file_fetches == rounds * len(job.result_files)
    assert not job.clips.exists()


def test_a_link_that_comes_back_the_same_is_not_fetched_again(cast, board, queue,
                                                              sandbox_account, sandbox):
    job = _run(cast, board, queue, sandbox_account("kling"), "[sandbox:expired]")
    assert job.state == "failed" and job.failure_text.startswith(LINK_EXPIRED)
    assert video_tasks(sandbox, "kling")[0].file_fetches == len(job.result_files)


def test_a_dialect_without_fresh_links_fails_at_once(cast, board, queue, sandbox_account,
                                                     sandbox):
    job = _run(cast, board, queue, sandbox_account("apimart"), "[sandbox:stale-link]")
    assert job.state == "failed" and job.failure_text.startswith(LINK_EXPIRED)
    task = video_tasks(sandbox, "apimart")[0]
    assert (task.file_fetches, task.links_signed) == (1, 1)  # one try, no second poll


def test_a_busy_file_server_is_still_retried_with_backoff(cast, board, queue,
                                                          sandbox_account, sandbox):
    job = _run(cast, board, queue, sandbox_account("kling"), "[sandbox:file5xx:2]")
    assert job.state == "succeeded", job.failure_text
    assert video_tasks(sandbox, "kling")[0].file_fetches == 3
