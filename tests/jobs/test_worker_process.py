"""The real django-q2 cluster, killed with SIGKILL in the middle of submitting, polling and
downloading, then started again: every job still ends final, with exactly one remote task each
and no partial files. On SQLite with one worker process; and when the suite runs with
DATABASE_URL (PostgreSQL) and REDIS_URL, also in the scale-out shape: a fresh PostgreSQL
database, Redis as the broker and two worker processes."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from providers.sandbox_helpers import running
from scale_out import SCALE_OUT, scale_out_environment

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
JOBS = 15


_EXTRA: dict[str, str] = {}


def _env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(STORYBOARD_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="storyboard.settings",
               STORYBOARD_JOB_LEASE="4", Q_WORKERS="2", PYTHONPATH=str(ROOT),
               PYTHONUNBUFFERED="1", **_EXTRA)
    return env


def _script(var_dir, *args) -> str:
    result = subprocess.run([sys.executable, str(HERE / "process_script.py"), *args],
                            cwd=ROOT, env=_env(var_dir), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


class _Workers:
    """One or several `qcluster` processes, killed together like a crashed host."""

    def __init__(self, var_dir, log, count: int):
        self.processes = [
            subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT,
                             env=_env(var_dir), stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
            for _ in range(count)]

    def kill(self):
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _states(var_dir) -> list[dict]:
    return json.loads(_script(var_dir, "report"))


def test_a_killed_worker_loses_nothing_and_pays_nothing_twice(tmp_path):
    _kill_and_restart(tmp_path, workers=1)


@pytest.mark.skipif(not SCALE_OUT, reason="runs in the PostgreSQL + Redis pass of .ci/run")
def test_two_killed_workers_on_postgres_and_redis_lose_nothing(tmp_path):
    with scale_out_environment() as env:
        _EXTRA.update(env)
        try:
            _kill_and_restart(tmp_path, workers=2)
        finally:
            _EXTRA.clear()


def _kill_and_restart(tmp_path, workers: int):
    var_dir = tmp_path / "var"
    with running(tmp_path / "sandbox", delay=2.0) as sandbox, \
            open(tmp_path / "cluster.log", "w") as log:
        _script(var_dir, "setup", sandbox.url, str(JOBS))
        cluster = _Workers(var_dir, log, workers)
        deadline = time.monotonic() + 60
        while True:  # wait until work is under way at several stages
            states = {row["state"] for row in _states(var_dir)}
            if len(states & {"submitting", "submitted", "processing", "downloading",
                             "succeeded"}) >= 2:
                break
            assert time.monotonic() < deadline, states
            time.sleep(0.3)
        cluster.kill()
        killed_at = {row["id"]: row["state"] for row in _states(var_dir)}

        cluster = _Workers(var_dir, log, workers)
        try:
            deadline = time.monotonic() + 150
            while True:
                rows = _states(var_dir)
                if all(r["state"] in ("succeeded", "failed", "cancelled") for r in rows):
                    break
                assert time.monotonic() < deadline, [(r["state"], r["text"]) for r in rows]
                time.sleep(1)
        finally:
            cluster.kill()
        with sandbox.state.lock:
            tasks = [t for t in sandbox.state.tasks.values() if t.plan is not None]

    assert set(killed_at.values()) - {"queued", "succeeded"}, killed_at  # it was mid-work
    assert all(r["state"] == "succeeded" for r in rows), [(r["state"], r["text"]) for r in rows]
    assert all(r["clips"] == 1 for r in rows)
    remote = [r for r in rows if r["dialect"] != "animatic"]
    by_job = {}
    for task in tasks:
        by_job.setdefault(task.external_task_id, []).append(task.id)
    assert sorted(by_job) == sorted(r["id"] for r in remote)  # every job reached the provider
    assert all(len(ids) == 1 for ids in by_job.values()), by_job  # and only once
    assert all(by_job[r["id"]] == [r["remote"]] for r in remote)
    clips = var_dir / "media" / "clips"
    leftovers = [p.name for p in clips.rglob("*") if p.name.startswith((".part-", ".incoming-"))]
    assert leftovers == []
