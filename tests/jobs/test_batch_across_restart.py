"""`omni_batch` on a seed-style prompts.json against each sandbox dialect, with the sandbox
process killed (SIGKILL) in the middle of the run and started again on the same port and data
directory — as `studio` restarting does. A real vendor does not forget a task when our side
restarts, and the sandbox keeps its tasks on disk, so every item still ends with its MP4 and
nothing is created twice."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from library.media_factory import jpeg, make_image_element
from providers.sandbox_helpers import probe

from storyboard.jobs import batch, worker
from storyboard.jobs.models import FINAL, Job, RemoteElement
from storyboard.providers.sandbox import SANDBOX_CREDENTIALS, base_urls
from storyboard.teams.accounts import AccountInput, add_account

ROOT = Path(__file__).resolve().parents[2]
SEED = [
    {"__comment": "the seed tutorial's kitchen", "mode": "pro", "image_1": "kitchen.jpg",
     "shots": [{"prompt": "Cinematic medium shot, a chef at the stove @image_1", "duration": "3"},
               {"prompt": "The chef flips the food @image_1", "duration": "3"}]},
    {"prompt": "A red kite over dunes", "duration": "5"},
    {"prompt": "Rain on a tin roof, close up", "duration": "5", "aspect_ratio": "9:16"},
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SandboxProcess:
    """`python -m storyboard.providers.sandbox` in a process of its own, to be killed."""

    def __init__(self, data_dir: Path, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "storyboard.providers.sandbox", "--port", str(self.port),
                 "--data-dir", str(self.data_dir), "--delay", "4", "--render-size", "64x36",
                 "--quiet"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/", timeout=1, trust_env=False)
                return
            except httpx.TransportError:
                assert self.process.poll() is None, self.log.read_text()
                time.sleep(0.1)
        raise AssertionError(f"the sandbox did not start: {self.log.read_text()}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def video_tasks(self, dialect: str) -> list[dict]:
        """The video tasks the sandbox recorded on disk (what the vendor would bill)."""
        records = [json.loads(p.read_text())
                   for p in (self.data_dir / "records" / "tasks").glob("*.json")]
        return [r for r in records if r.get("dialect") == dialect and r.get("plan")]


@pytest.fixture
def sandbox_process(tmp_path):
    sandbox = SandboxProcess(tmp_path / "sandbox", tmp_path / "sandbox.log")
    sandbox.start()
    yield sandbox
    sandbox.kill()


@pytest.mark.parametrize("dialect", ["useapi", "kling", "cometapi", "apimart"])
def test_a_batch_survives_a_sandbox_restart_mid_run_with_every_clip_and_no_second_task(
        dialect, tmp_path, cast, sandbox_process, monkeypatch, settings, capsys):
    # Where the sandbox would fetch our media from: nothing listens there, so it draws title
    # cards for URL references (the test is about tasks, not pictures) and callbacks fail.
    settings.STORYBOARD_LOCAL_URL = "http://127.0.0.1:9"
    (tmp_path / "kitchen.jpg").write_bytes(jpeg(800, 600))
    (tmp_path / "prompts.json").write_text(json.dumps(SEED))
    account = add_account(cast.team_a, AccountInput(
        dialect, f"Sandbox {dialect}", dict(SANDBOX_CREDENTIALS[dialect]),
        base_url=base_urls(sandbox_process.url)[dialect], vip=dialect == "useapi",
        sandbox=True, max_jobs=len(SEED)))

    real_sweep, seen = worker.poll_due_jobs, {}

    def sweep_with_a_restart():
        sent = Job.objects.exclude(remote_task_id="")
        if not seen and Job.objects.exists() and sent.count() == Job.objects.count():
            seen["states"] = sorted(set(Job.objects.values_list("state", flat=True)))
            sandbox_process.kill()
            real_sweep()  # the vendor is gone: polls fail and are retried later
            sandbox_process.start()
        return real_sweep()

    monkeypatch.setattr(worker, "poll_due_jobs", sweep_with_a_restart)
    monkeypatch.setattr(batch, "POLL_EVERY", 0.5)
    out = tmp_path / "out"
    try:
        call_command("omni_batch", str(tmp_path / "prompts.json"), "--account", account.label,
                     "--out", str(out), "--timeout", "90")
    except SystemExit as exit_:
        assert exit_.code == 0, capsys.readouterr()
    stdout = capsys.readouterr().out

    assert seen, "the sandbox was never restarted"
    assert not set(seen["states"]) & set(FINAL), seen  # it was restarted mid-run
    lines = stdout.strip().splitlines()
    assert len(lines) == len(SEED) and all(": succeeded" in line for line in lines), stdout
    clips = sorted(out.glob("*.mp4"))
    assert len(clips) == len(SEED)
    for clip, seconds in zip(clips, (6, 5, 5), strict=True):
        assert abs(probe(clip.read_bytes())[0] - seconds) < 0.2, clip
    tasks = sandbox_process.video_tasks(dialect)
    assert len(tasks) == len(SEED)  # nothing was created twice
    assert sorted(t["id"] for t in tasks) == sorted(
        Job.objects.values_list("remote_task_id", flat=True))
    assert not Job.objects.filter(create_resent=True).exists()


@pytest.mark.parametrize("dialect", ["useapi", "kling"])
def test_an_element_created_before_a_restart_is_reused_after_it(
        dialect, tmp_path, cast, sandbox_process, settings, capsys):
    """The vendor keeps elements too: a batch after the restart sends the same id, without
    creating the element again."""
    settings.STORYBOARD_LOCAL_URL = "http://127.0.0.1:9"
    account = add_account(cast.team_a, AccountInput(
        dialect, f"Sandbox {dialect}", dict(SANDBOX_CREDENTIALS[dialect]),
        base_url=base_urls(sandbox_process.url)[dialect], vip=dialect == "useapi",
        sandbox=True))
    make_image_element(cast.team_a, cast.editor, name="Mara")

    def run(prompt: str) -> None:
        path = tmp_path / "prompts.json"
        path.write_text(json.dumps([{"prompt": f"@element_1 {prompt}", "duration": "5",
                                     "element_1": "Mara"}]))
        call_command("omni_batch", str(path), "--account", account.label,
                     "--out", str(tmp_path / "out"), "--timeout", "60")
        assert ": succeeded" in capsys.readouterr().out

    run("waves from the pier")
    first = RemoteElement.objects.get(account=account).remote_id
    sandbox_process.kill()
    sandbox_process.start()
    run("walks into the sea")
    assert RemoteElement.objects.get(account=account).remote_id == first
    assert not Job.objects.filter(elements_recreated=True).exists()
    assert len(sandbox_process.video_tasks(dialect)) == 2
