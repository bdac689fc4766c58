"""The real django-q2 cluster, killed with SIGKILL in the middle of submitting, polling and
downloading, then started again: every job still ends final, with exactly one remote task each
and no partial files."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from providers.sandbox_helpers import running

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
JOBS = 15


def _env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(STORYBOARD_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="storyboard.settings",
               STORYBOARD_JOB_LEASE="4", Q_WORKERS="2", PYTHONPATH=str(ROOT),
               PYTHONUNBUFFERED="1")
    return env


def _script(var_dir, *args) -> str:
    result = subprocess.run([sys.executable, str(HERE / "process_script.py"), *args],
                            cwd=ROOT, env=_env(var_dir), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _cluster(var_dir, log):
    return subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT,
                            env=_env(var_dir), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _states(var_dir) -> list[dict]:
    return json.loads(_script(var_dir, "report"))


def test_a_killed_worker_loses_nothing_and_pays_nothing_twice(tmp_path):
    var_dir = tmp_path / "var"
    with running(tmp_path / "sandbox", delay=2.0) as sandbox, \
            open(tmp_path / "cluster.log", "w") as log:
        _script(var_dir, "setup", sandbox.url, str(JOBS))
        cluster = _cluster(var_dir, log)
        deadline = time.monotonic() + 60
        while True:  # wait until work is under way at several stages
            states = {row["state"] for row in _states(var_dir)}
            if len(states & {"submitting", "submitted", "processing", "downloading",
                             "succeeded"}) >= 2:
                break
            assert time.monotonic() < deadline, states
            time.sleep(0.3)
        os.killpg(cluster.pid, signal.SIGKILL)
        cluster.wait(timeout=10)
        killed_at = {row["id"]: row["state"] for row in _states(var_dir)}

        cluster = _cluster(var_dir, log)
        try:
            deadline = time.monotonic() + 150
            while True:
                rows = _states(var_dir)
                if all(r["state"] in ("succeeded", "failed", "cancelled") for r in rows):
                    break
                assert time.monotonic() < deadline, [(r["state"], r["text"]) for r in rows]
                time.sleep(1)
        finally:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait(timeout=10)
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
