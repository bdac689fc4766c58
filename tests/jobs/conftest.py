"""Jobs are driven by hand in tests: django-q2's async_task is replaced by a recorder, and
`drive` runs what was queued plus poll sweeps until the job is final — the same functions the
real worker runs, in the same order, without a cluster."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from providers.sandbox_helpers import running

from storyboard.boards.models import Shot, Storyboard
from storyboard.jobs import worker
from storyboard.jobs.models import Job
from storyboard.providers.sandbox import SANDBOX_CREDENTIALS, base_urls
from storyboard.teams.accounts import AccountInput, add_account


class Queue:
    def __init__(self):
        self.tasks: list[tuple[str, tuple]] = []

    def __call__(self, func, *args, **kwargs):
        self.tasks.append((func.rsplit(".", 1)[-1], args))

    def run_all(self):
        while self.tasks:
            name, args = self.tasks.pop(0)
            getattr(worker, name)(*args)

    def drive(self, job: Job, timeout: float = 30) -> Job:
        deadline = time.monotonic() + timeout
        while True:
            self.run_all()
            job.refresh_from_db()
            if job.is_final and job.failure != "timed_out":
                return job
            assert time.monotonic() < deadline, f"job still {job.state}: {job.failure_text}"
            # Make everything due now, as time passing would.
            Job.objects.filter(next_attempt_at__isnull=False).update(
                next_attempt_at=timezone.now() - timedelta(seconds=1))
            Job.objects.filter(state="downloading").update(claimed_until=None)
            worker.poll_due_jobs()
            time.sleep(0.05)


@pytest.fixture
def queue(monkeypatch):
    recorder = Queue()
    for module in ("storyboard.jobs.worker", "storyboard.jobs.actions", "storyboard.jobs.views"):
        monkeypatch.setattr(f"{module}.async_task", recorder)
    # on_commit callbacks run at once inside the test's transaction
    monkeypatch.setattr("storyboard.jobs.actions.transaction.on_commit", lambda fn: fn())
    return recorder


@pytest.fixture(autouse=True)
def _sandbox_of_this_test(request, settings, name_sandbox):
    """A sandbox a test runs as its own process is this test server's sandbox. The partial-
    download tests fetch from a bare loopback server, no sandbox: they use the override."""
    if "sandbox_process" in request.fixturenames:
        name_sandbox(request.getfixturevalue("sandbox_process").url)
    if request.module.__name__.endswith("test_partial_downloads"):
        settings.STORYBOARD_ALLOW_ANY_SANDBOX = True


@pytest.fixture
def sandbox(tmp_path):
    with running(tmp_path / "sandbox") as sb:
        yield sb


@pytest.fixture
def sandbox_account(cast, sandbox):
    def make(dialect: str, *, max_jobs: int = 4, label: str | None = None):
        return add_account(cast.team_a, AccountInput(
            dialect, label or f"Sandbox {dialect}", dict(SANDBOX_CREDENTIALS[dialect]),
            base_url=base_urls(sandbox.url)[dialect], max_jobs=max_jobs, vip=dialect == "useapi",
            sandbox=True))
    return make


@pytest.fixture
def board(cast):
    def make(account=None, prompts=("A lighthouse at dusk", "Waves on the rocks"),
             seconds=(2, 3), title="Coast"):
        b = Storyboard.objects.create(team=cast.team_a, title=title, account=account,
                                      created_by=cast.editor)
        for position, (prompt, duration) in enumerate(zip(prompts, seconds, strict=True)):
            Shot.objects.create(storyboard=b, position=position, prompt=prompt,
                                duration=str(duration))
        return b
    return make


def video_tasks(sandbox, dialect: str) -> list:
    """The video tasks the sandbox received for a dialect (what a vendor would bill)."""
    with sandbox.state.lock:
        return [t for t in sandbox.state.tasks.values()
                if t.dialect == dialect and t.plan is not None]
