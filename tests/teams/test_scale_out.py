"""The scale-out configuration end to end: PostgreSQL, Redis as the broker, two web processes
(gunicorn) behind one port and two worker processes sharing one media directory. A signed-in
user submits a storyboard over HTTP and the clip comes back through the web processes."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from scale_out import SCALE_OUT, scale_out_environment

from storyboard.operations.probe import serving

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not SCALE_OUT,
                                reason="runs in the PostgreSQL + Redis pass of .ci/run")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args, env, log):
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def test_two_web_and_two_worker_processes_deliver_a_clip(tmp_path):
    port = _free_port()
    with scale_out_environment() as extra, open(tmp_path / "processes.log", "w") as log:
        env = {**os.environ, **extra, "STORYBOARD_VAR_DIR": str(tmp_path / "var"),
               "DJANGO_SETTINGS_MODULE": "storyboard.settings", "PYTHONUNBUFFERED": "1",
               "STORYBOARD_LOCAL_URL": f"http://127.0.0.1:{port}"}
        setup = subprocess.run([sys.executable, "manage.py", "studio", "--no-serve"], cwd=ROOT,
                               env=env, capture_output=True, text=True, timeout=180)
        assert setup.returncode == 0, setup.stderr
        password = (tmp_path / "var" / "demo_password").read_text().strip()
        board = subprocess.run(
            [sys.executable, "-c",
             "import django; django.setup();"
             "from storyboard.boards.models import Shot, Storyboard;"
             "from storyboard.teams.models import Team;"
             "b = Storyboard.objects.create(team=Team.objects.get(name='Demo'), title='Scale');"
             "[Shot.objects.create(storyboard=b, position=i, prompt=f'Shot {i}', duration='2')"
             " for i in range(2)]; print(b.pk)"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        board_id = board.stdout.strip()
        processes = [
            _start(["-m", "gunicorn", "storyboard.wsgi:application", "--bind",
                    f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"], env, log),
            _start(["manage.py", "qcluster"], env, log),
            _start(["manage.py", "qcluster"], env, log),
        ]
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=10) as web:
                deadline = time.monotonic() + 60
                while True:
                    with contextlib.suppress(httpx.TransportError):
                        answer = web.get("/healthz")
                        if serving(answer.status_code, answer.content):
                            break
                    assert time.monotonic() < deadline, "the web processes did not start"
                    time.sleep(0.3)
                web.get("/login/")
                signed_in = web.post("/login/", data={
                    "username": "demo", "password": password,
                    "csrfmiddlewaretoken": web.cookies["csrftoken"]})
                assert signed_in.status_code == 302
                page = web.get(f"/storyboards/{board_id}/").text
                token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
                submitted = web.post(f"/jobs/submit/{board_id}/",
                                     data={"submit_key": "scale-1", "csrfmiddlewaretoken": token})
                assert submitted.status_code == 302, submitted.text[:500]
                job_url = submitted.headers["location"]
                job_id = job_url.rstrip("/").rsplit("/", 1)[1]
                deadline = time.monotonic() + 120
                while True:
                    card = web.get(f"/jobs/{job_id}/status/")
                    if card.status_code == 286:
                        break
                    assert time.monotonic() < deadline, card.text[:800]
                    time.sleep(1)
                assert "Succeeded" in card.text, card.text[:800]
                clip = re.search(r'src="(/jobs/clips/\d+/video/)"', card.text).group(1)
                video = web.get(clip, headers={"Range": "bytes=0-99"})
                assert video.status_code == 206 and video.headers["content-type"] == "video/mp4"
        finally:
            for process in processes:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
