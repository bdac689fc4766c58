"""Every line a worker task logs names its job and the job's team — from the poll sweep's
threads too — and never carries the account's credential, even when the vendor's answer or an
exception repeats it."""

from __future__ import annotations

import json

import httpx
import pytest
from jobs.transports import Faulty, is_create, use, when
from log_capture import console_lines

from storyboard.jobs import worker
from storyboard.jobs.actions import submit_job
from storyboard.providers.sandbox import SANDBOX_CREDENTIALS

KEY = SANDBOX_CREDENTIALS["kling"]["secret_key"]


def _echoing_the_key(request, inner):
    # A vendor that repeats what it was sent, the way some error pages do.
    return httpx.Response(401, json={"code": 1002, "request_id": "r-1", "message": (
        f"Invalid signature for secret {KEY}: header {request.headers['authorization']}")})


def test_a_failed_create_is_logged_with_its_job_and_team_and_without_the_key(
        cast, board, queue, sandbox_account, monkeypatch):
    use(monkeypatch, Faulty(when(is_create, _echoing_the_key)))
    with console_lines() as lines:
        job = queue.drive(submit_job(board(sandbox_account("kling")), cast.editor, "k"))
    assert job.state == "failed"
    logged = [line for line in lines() if line["logger"] == "storyboard.jobs.worker"]
    assert logged, lines()
    assert all(line["job"] == str(job.pk) and line["team"] == cast.team_a.pk
               for line in logged)
    text = json.dumps(lines())
    assert KEY not in text and "[redacted]" in text


def test_a_poll_that_fails_in_the_sweeps_threads_names_its_job(cast, board, queue,
                                                               sandbox_account, monkeypatch):
    job = submit_job(board(sandbox_account("kling")), cast.editor, "k")
    queue.run_all()
    job.refresh_from_db()
    assert job.state in ("submitted", "processing")

    def broken_poll(request, inner):
        if request.method == "GET":
            # Not a vendor error but a bug's: the one kind the sweep logs with its traceback.
            raise RuntimeError(f"unexpected state while signing with {KEY}")
        return None

    use(monkeypatch, Faulty(broken_poll))
    job.__class__.objects.filter(pk=job.pk).update(next_attempt_at=job.created_at)
    with console_lines() as lines:
        worker.poll_due_jobs()
    failed = [line for line in lines() if "polling failed" in line["message"]]
    assert failed, lines()
    [line] = failed
    assert line["job"] == str(job.pk) and line["team"] == cast.team_a.pk
    assert "RuntimeError" in line["exception"] and KEY not in json.dumps(lines())


@pytest.mark.parametrize("task", ["submit_job_task", "poll_job", "download_job"])
def test_each_task_binds_its_job_for_every_line(task, cast, board, queue, sandbox_account,
                                                monkeypatch):
    job = submit_job(board(sandbox_account("kling")), cast.editor, "k")
    seen = []
    monkeypatch.setattr(worker.log, "info", lambda *a, **k: None)
    from storyboard import logs

    original = logs.bound

    def spy(**fields):
        seen.append(fields)
        return original(**fields)

    monkeypatch.setattr(logs, "bound", spy)
    getattr(worker, task)(str(job.pk))
    assert {"job": str(job.pk), "team": cast.team_a.pk} in seen
