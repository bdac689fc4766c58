"""Nothing lost, nothing paid twice: the worker against the sandbox with injected faults."""

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from jobs.conftest import video_tasks

from storyboard.jobs import worker
from storyboard.jobs.actions import submit_job
from storyboard.jobs.models import IN_FLIGHT, Clip, Job
from storyboard.providers.http import build_client
from storyboard.providers.registry import provider_for
from storyboard.storage import local_path


def test_a_429_storm_is_waited_out_honouring_retry_after(cast, board, queue, sandbox_account,
                                                         sandbox):
    account = sandbox_account("useapi")
    job = submit_job(board(account, prompts=("Harbour at dawn [sandbox:429:3]", "Gulls")),
                     cast.editor, "k")
    queue.run_all()
    job.refresh_from_db()
    assert job.state == "queued" and "Waiting to retry" in job.failure_text
    # The sandbox's Retry-After is 7 s: the next try is not sooner.
    assert job.next_attempt_at >= timezone.now() + timedelta(seconds=6)
    job = queue.drive(job)
    assert job.state == "succeeded" and job.attempts == 4
    assert len(video_tasks(sandbox, "useapi")) == 1


@pytest.mark.parametrize("dialect", ["useapi", "kling"])
def test_moderation_at_create_is_final_with_the_providers_words(dialect, cast, board, queue,
                                                                sandbox_account):
    job = submit_job(board(sandbox_account(dialect),
                           prompts=("Something [sandbox:moderation]", "B")), cast.editor, "k")
    job = queue.drive(job)
    assert (job.state, job.failure, job.attempts) == ("failed", "moderation", 1)
    assert job.provider_text and "moderation" in job.failure_text


def test_moderation_of_the_finished_task_is_final_too(cast, board, queue, sandbox_account):
    job = queue.drive(submit_job(board(sandbox_account("kling"),
                                       prompts=("A [sandbox:moderation-task]", "B")),
                                 cast.editor, "k"))
    assert (job.state, job.failure) == ("failed", "moderation")
    assert not Clip.objects.exists()


def test_a_5xx_is_retried_and_then_succeeds_with_one_task(cast, board, queue, sandbox_account,
                                                          sandbox):
    job = queue.drive(submit_job(board(sandbox_account("kling"),
                                       prompts=("A [sandbox:5xx]", "B")), cast.editor, "k"))
    assert job.state == "succeeded" and job.attempts == 2
    assert len(video_tasks(sandbox, "kling")) == 1


def _impatient(monkeypatch):
    """Provider clients that give up after 0.3 s: the sandbox's late answer takes 0.6 s."""
    def provider_for_job(job, **kwargs):
        client = build_client(allow_loopback=True, timeout=httpx.Timeout(0.3))
        return provider_for(job.account.as_provider_account(), client=client,
                            asset_cache=worker.AssetCache(job.account))
    monkeypatch.setattr(worker, "provider_for_job", provider_for_job)


def test_a_create_that_times_out_after_kling_accepted_it_is_found_not_resent(
        cast, board, queue, sandbox_account, sandbox, monkeypatch):
    _impatient(monkeypatch)
    job = submit_job(board(sandbox_account("kling"), prompts=("A [sandbox:late-answer]", "B")),
                     cast.editor, "k")
    job = queue.drive(job)
    assert job.state == "succeeded", job.failure_text
    tasks = video_tasks(sandbox, "kling")
    assert len(tasks) == 1 and tasks[0].id == job.remote_task_id
    assert job.attempts == 1


def test_a_create_that_times_out_on_useapi_is_marked_for_attention_not_resent(
        cast, board, queue, sandbox_account, sandbox, monkeypatch):
    _impatient(monkeypatch)
    job = queue.drive(submit_job(board(sandbox_account("useapi"),
                                       prompts=("A [sandbox:late-answer]", "B")),
                                 cast.editor, "k"))
    assert (job.state, job.failure, job.needs_attention) == ("failed", "lost", True)
    assert "not to pay twice" in job.failure_text
    assert len(video_tasks(sandbox, "useapi")) == 1


def test_a_404_on_poll_names_the_possible_causes(cast, board, queue, sandbox_account):
    job = queue.drive(submit_job(board(sandbox_account("useapi"),
                                       prompts=("A [sandbox:poll404]", "B")), cast.editor, "k"))
    assert job.state == "failed"
    assert "deleted" in job.failure_text and "credits" in job.failure_text


def test_a_truncated_download_is_never_stored(cast, board, queue, sandbox_account):
    job = submit_job(board(sandbox_account("kling"), prompts=("A [sandbox:truncate]", "B")),
                     cast.editor, "k")
    job = queue.drive(job, timeout=60)
    assert job.state == "failed" and "could not be downloaded" in job.failure_text
    assert not Clip.objects.exists()
    folder = local_path(f"clips/{job.team_id}")
    assert not folder.exists() or list(folder.iterdir()) == []


def test_callbacks_only_trigger_a_poll_and_forged_ones_change_nothing(cast, board, queue,
                                                                      sandbox_account, client):
    job = submit_job(board(sandbox_account("kling")), cast.editor, "k")
    queue.run_all()
    job.refresh_from_db()
    url = f"/jobs/hook/{job.pk}/{job.callback_secret}/"
    before = len(queue.tasks)
    assert client.post(f"/jobs/hook/{job.pk}/forged/", {"task_status": "succeed"}).status_code \
        == 404
    assert client.post("/jobs/hook/00000000-0000-0000-0000-000000000000/x/").status_code == 404
    assert len(queue.tasks) == before
    for _ in range(2):  # duplicates are harmless
        response = client.post(url, data='{"task_status": "succeed"}',
                               content_type="application/json")
        assert response.status_code == 204
    assert [name for name, _ in queue.tasks[before:]] == ["poll_job", "poll_job"]
    job.refresh_from_db()
    assert job.state in ("submitted", "processing")  # the body was not believed
    job = queue.drive(job)
    assert job.state == "succeeded" and job.clips.count() == 1
    # A late, out-of-order callback for a finished job does nothing.
    tasks = len(queue.tasks)
    assert client.post(url).status_code == 204 and len(queue.tasks) == tasks


def test_an_account_limit_of_two_keeps_at_most_two_jobs_in_flight(cast, board, queue,
                                                                  sandbox_account, sandbox):
    account = sandbox_account("kling", max_jobs=2)
    b = board(account)
    jobs = [submit_job(b, cast.editor, f"k{n}") for n in range(10)]
    seen = 0
    for _ in range(400):
        queue.run_all()
        in_flight = Job.objects.filter(account=account, state__in=IN_FLIGHT).count()
        assert in_flight <= 2
        seen = max(seen, in_flight)
        if Job.objects.filter(state="succeeded").count() == 10:
            break
        Job.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        Job.objects.filter(state="downloading").update(claimed_until=None)
        worker.poll_due_jobs()
    assert Job.objects.filter(state="succeeded").count() == 10, [j.state for j in jobs]
    assert seen == 2
    assert len(video_tasks(sandbox, "kling")) == 10


def test_running_a_task_twice_does_no_harm(cast, board, queue, sandbox_account, sandbox):
    job = submit_job(board(sandbox_account("kling")), cast.editor, "k")
    worker.submit_job_task(str(job.id))
    worker.submit_job_task(str(job.id))  # at-least-once delivery: a duplicate
    job = queue.drive(job)
    worker.download_job(str(job.id))
    assert job.state == "succeeded" and job.clips.count() == 1
    assert len(video_tasks(sandbox, "kling")) == 1


def test_credentials_never_travel_in_task_arguments_errors_or_logs(cast, board, queue,
                                                                   sandbox_account, caplog):
    import logging

    from storyboard.teams.accounts import AccountInput, change_account

    caplog.set_level(logging.DEBUG)
    account = sandbox_account("useapi")
    secret = "tok-" + "s3cr3t" * 6
    change_account(account, AccountInput("useapi", account.label, {"token": secret},
                                         base_url=account.base_url, sandbox=True))
    job = submit_job(board(account), cast.editor, "k")
    assert all(args == (str(job.id),) for _, args in queue.tasks)
    job = queue.drive(job)
    assert (job.state, job.failure) == ("failed", "authentication")
    rendered = " ".join([job.failure_text, job.provider_text, str(job.request_body),
                         caplog.text])
    assert secret not in rendered


def test_a_callback_with_callback_appended_to_the_url_also_triggers_a_poll(
        cast, board, queue, sandbox_account, client):
    from django.urls import reverse

    job = submit_job(board(sandbox_account("apimart")), cast.editor, "k")
    queue.run_all()
    job.refresh_from_db()
    url = reverse("jobs:callback_with_suffix", args=[job.pk, job.callback_secret])
    assert url.endswith("/callback")
    before = len(queue.tasks)
    assert client.post(url, data="{}", content_type="application/json").status_code == 204
    assert [name for name, _ in queue.tasks[before:]] == ["poll_job"]
    forged = reverse("jobs:callback_with_suffix", args=[job.pk, "forged"])
    assert client.post(forged).status_code == 404 and len(queue.tasks) == before + 1
