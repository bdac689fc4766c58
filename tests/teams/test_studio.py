"""`manage.py studio`: set-up that can run any number of times, and web + worker that stop
together on Ctrl-C."""

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

from storyboard.operations.probe import serving
from storyboard.schedules import SCHEDULES, setup_schedules

ROOT = Path(__file__).resolve().parents[2]


def _env(var_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(STORYBOARD_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="storyboard.settings",
               PYTHONUNBUFFERED="1")
    return env


def _studio(var_dir, *args, timeout=120):
    return subprocess.run([sys.executable, "manage.py", "studio", *args], cwd=ROOT,
                          env=_env(var_dir), capture_output=True, text=True, timeout=timeout)


def test_set_up_creates_the_demo_team_and_login_once(tmp_path):
    first = _studio(tmp_path, "--no-serve")
    assert first.returncode == 0, first.stderr
    password = (tmp_path / "demo_password").read_text().strip()
    assert f"Demo login: username 'demo', password '{password}'" in first.stdout
    second = _studio(tmp_path, "--no-serve")
    assert second.returncode == 0, second.stderr
    assert f"password '{password}'" in second.stdout
    count = subprocess.run(
        [sys.executable, "-c",
         "import django; django.setup();"
         "from storyboard.teams.models import Membership;"
         "from django.contrib.auth import authenticate;"
         "m = Membership.objects.filter(user__username='demo');"
         f"print(m.count(), m.get().team.name, m.get().role, m.get().user.check_password("
         f"{password!r}), sorted(a.dialect for a in m.get().team.provider_accounts.all()"
         " if a.sandbox))"],
        cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert count.stdout.strip() == (
        "1 Demo owner True ['apimart', 'cometapi', 'kling', 'useapi']"), count.stderr


def test_a_bad_port_is_refused_with_a_message(tmp_path):
    result = _studio(tmp_path, "--port", "70000")
    assert result.returncode != 0
    assert "--port 70000: choose a port between 1 and 65535" in result.stderr


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _test_a_sandbox_account(port, var_dir) -> str:
    """Signs in as the demo owner and presses Test connection on a sandbox account; the
    outcome the settings page then shows."""
    password = (var_dir / "demo_password").read_text().strip()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=15) as web:
        web.get("/login/")
        web.post("/login/", data={"username": "demo", "password": password,
                                  "csrfmiddlewaretoken": web.cookies["csrftoken"]})
        page = web.get("/team/").text
        action = re.search(r'action="(/team/accounts/\d+/test/)"[^>]*>.{0,200}?'
                           r'aria-label="Test connection of Sandbox CometAPI"', page, re.S)
        web.post(action.group(1), data={"csrfmiddlewaretoken": web.cookies["csrftoken"]})
        shown = web.get("/team/").text
    return re.search(r"Sandbox CometAPI: [^<.]+", shown).group(0).strip()


def test_web_server_and_worker_run_together_and_stop_on_ctrl_c(tmp_path):
    port, sandbox_port, media_port = _free_port(), _free_port(), _free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "studio", "--port", str(port), "--web-workers", "1",
         "--sandbox-port", str(sandbox_port), "--media-port", str(media_port)],
        cwd=ROOT, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                if serving(answer.status_code, answer.content):
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "studio did not answer within 60 s"
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.3)
        login = httpx.get(f"http://127.0.0.1:{port}/login/", timeout=5)
        assert login.status_code == 200 and "Sign in to storyboard" in login.text
        while True:
            try:
                sandbox = httpx.get(f"http://127.0.0.1:{sandbox_port}/_sandbox/health",
                                    timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the sandbox did not answer within 60 s"
                time.sleep(0.3)
        assert sandbox.text.strip() == "ok"
        # The media server runs too, and serves nothing without a link the web server signed.
        assert httpx.get(f"http://127.0.0.1:{media_port}/media/videos/a.mp4",
                         timeout=5).status_code == 403
        # The web server knows the sandbox studio runs: its sandbox accounts connect to it.
        assert _test_a_sandbox_account(port, tmp_path).startswith("Sandbox CometAPI: Connected")
        # Ctrl-C in a terminal signals the whole foreground process group.
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=40)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, output
    assert "storyboard is running on" in output
    assert "Q Cluster" in output  # the worker started
    assert "Stopped." in output
    for stopped in (port, sandbox_port, media_port):
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{stopped}/", timeout=2)


def test_schedules_are_registered_once_however_often_set_up_runs(db):
    from django_q.models import Schedule

    setup_schedules()
    setup_schedules()
    names = [f"storyboard:{item.name}" for item in SCHEDULES]
    assert sorted(Schedule.objects.filter(name__startswith="storyboard:")
                  .values_list("name", flat=True)) == sorted(names)


def test_a_schedule_the_code_no_longer_lists_is_removed(db):
    from django_q.models import Schedule

    Schedule.objects.create(name="storyboard:gone", func="storyboard.nowhere.task",
                            schedule_type=Schedule.MINUTES, minutes=5)
    setup_schedules()
    assert not Schedule.objects.filter(name="storyboard:gone").exists()
